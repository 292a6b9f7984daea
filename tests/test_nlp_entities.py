"""People, roles and bodies in minutes, with the spaCy rule pipeline (no statistical model).

Expected entities were read off the documents: seed 004 (Doncaster), and the Kent Corporate
Parenting Panel and Cabinet minutes (pages named in the comments).
"""

from __future__ import annotations

from test_extract_minutes import KENT_CABINET, KENT_CPP, SEED_004_TEXT, analysed, of_type, real

from scrutiny.nlp.entities import entities_in_text, entity_pipeline
from scrutiny.records import AgendaItem, Entity


def by_item(path):
    analysis = analysed(path)
    items = {item.key: item for item in of_type(analysis, AgendaItem)}
    found: dict[str, dict[tuple[str, str], Entity]] = {}
    for entity in of_type(analysis, Entity):
        found.setdefault(items[entity.item].number or entity.item, {})[(entity.name, entity.kind)] = entity
    return found


def test_the_pipeline_is_blank_english_with_rules():
    nlp = entity_pipeline()
    assert nlp.lang == "en" and nlp.pipe_names == ["entity_ruler"]
    assert entity_pipeline() is nlp  # built once


def test_seed_004_names_the_director_the_trust_and_ofsted():
    (found,) = by_item(SEED_004_TEXT).values()
    # "carried out by the Director of People of the Doncaster Children's Services Trust" (and once more)
    assert found[("Director of People", "role")].mentions == 2
    assert ("Doncaster Children’s Services Trust", "body") in found
    assert found[("the Trust", "body")].mentions >= 5
    assert found[("Ofsted", "body")].mentions == 3
    for body in ("Youth Justice Board", "Corporate Parenting Board", "Performance Accountability Board",
                 "Children and Families Executive Board", "South Yorkshire Police"):
        assert (body, "body") in found, body


def test_kent_corporate_parenting_panel_people_with_their_roles():
    found = by_item(real(KENT_CPP))
    # Item 4, page 2: "Joanne Carpenter, Participation and Engagement Manager, introduced the report."
    carpenter = found["4"][("Joanne Carpenter", "person")]
    assert carpenter.role == "Participation and Engagement Manager" and carpenter.page == 2
    # "Ms Carpenter shared that ..." three times in item 4; her role follows her surname.
    assert found["4"][("Ms Carpenter", "person")].mentions == 3
    assert found["4"][("Ms Carpenter", "person")].role == "Participation and Engagement Manager"
    # Item 6, pages 3-4: "Amy Coombs, Head of Adoption Partnership South East"
    assert found["6"][("Ms Coombs", "person")].role == "Head of Adoption Partnership South East"
    assert ("Head of Adoption Partnership South East", "role") in found["6"]
    # Item 2, page 1: "RESOLVED that Mr P Bartlett be duly elected Vice Chair of the Corporate Parenting Panel."
    assert {("Mr P Bartlett", "person"), ("Vice Chair", "role"), ("Corporate Parenting Panel", "body")} <= set(
        found["2"]
    )


def test_kent_cabinet_roles_come_from_the_attendance_list():
    found = by_item(real(KENT_CABINET))
    # Page 1: "Mr D Shipton (Head of Finance Policy, Planning and Strategy)"; item 5 (page 2) says "Mr Shipton".
    assert found["5"][("Mr Shipton", "person")].role == "Head of Finance Policy, Planning and Strategy"
    # Item 8, page 5: "Ben Watts, General Counsel"
    assert found["8"][("Ben Watts", "person")].role == "General Counsel"


def test_names_joined_by_and_are_two_entities():
    # Seed 004: "the Trust and South Yorkshire Police"; Kent CPP page 8: "Christy Holden, Head of
    # Children's Commissioning and Robin Cahill, Senior Commissioner (Children's) introduced ..."
    assert list(entities_in_text("including the Trust and South Yorkshire Police, was developing")) == [
        ("the Trust", "body", None),
        ("South Yorkshire Police", "body", None),
    ]
    found = list(
        entities_in_text(
            "Christy Holden, Head of Children’s Commissioning and Robin Cahill, Senior Commissioner "
            "(Children’s) introduced the Sufficiency Strategy."
        )
    )
    assert ("Christy Holden", "person", "Head of Children’s Commissioning") in found
    assert ("Robin Cahill", "person", "Senior Commissioner") in found


def test_councillor_titles():
    found = list(entities_in_text("Cllr Jane Smith and Councillor Patel thanked Mrs S Hammond."))
    assert [(name, kind) for name, kind, _ in found] == [
        ("Cllr Jane Smith", "person"),
        ("Councillor Patel", "person"),
        ("Mrs S Hammond", "person"),
    ]
