"""The Datasette settings that keep search fast on a large catalogue (benchmarks/search_speed.py)."""

from __future__ import annotations

import asyncio

from scrutiny.catalogue import make_datasette
from scrutiny.catalogue.connections import MMAP_BYTES


def test_served_catalogue_has_no_suggested_facets_and_is_memory_mapped(catalogue_copy):
    datasette = make_datasette(catalogue_copy)
    name = catalogue_copy.stem

    async def check():
        await datasette.invoke_startup()
        assert datasette.setting("suggest_facets") is False
        mapped = await datasette.get_database(name).execute("pragma mmap_size")
        response = await datasette.client.get(f"/{name}/pages.json", params={"_search": "re-referrals"})
        return mapped.rows[0][0], response

    mapped, response = asyncio.run(check())
    assert mapped == MMAP_BYTES
    assert response.status_code == 200
    body = response.json()
    assert body["suggested_facets"] == []
    # Seed 000 page 7 names "A1 Re-referrals" (see test_extract_read.py).
    text = body["columns"].index("text")
    assert any("Re-referrals" in row[text] for row in body["rows"])
