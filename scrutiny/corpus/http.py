"""A polite HTTP client for council sites: one request at a time, a pause between requests to
the same host, an honest User-Agent, robots.txt obeyed, retries with backoff, sizes capped.

Councils run these sites for the public, often on small servers; a crawler that hammers one
gets its address blocked for everyone. Retries cover the faults that pass (timeouts, dropped
connections, 5xx, 429); a 404 or any other 4xx is an answer, not a fault, and is not retried.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import urllib.robotparser
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity

from ..errors import ScrutinyError

__all__ = [
    "Download", "FetchSettings", "NotModified", "PoliteClient", "RequestFailed", "host_of", "user_agent",
]

log = logging.getLogger(__name__)

_ROBOTS_AGENT = "scrutiny"  # the token robots.txt rules name us by


def user_agent(contact: str | None = None) -> str:
    """The User-Agent header: the tool, its version and, if given, who to contact about the crawl."""
    try:
        release = version("scrutiny")
    except PackageNotFoundError:
        release = "0.0.0+unknown"
    agent = f"scrutiny/{release} (council committee papers catalogue; python-httpx)"
    return f"{agent} {contact}" if contact else agent


@dataclass(frozen=True)
class FetchSettings:
    """How a fetch treats the sites it reads from."""

    delay: float = 1.0  # seconds between two requests to the same host
    retries: int = 4  # further attempts after a timeout, dropped connection, 5xx or 429
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    max_backoff: float = 60.0
    timeout: float = 60.0  # seconds to wait for the server to say anything (each read)
    max_seconds: float = 600.0  # seconds one download may take in all, however it trickles in
    max_bytes: int = 200 * 1024 * 1024  # a file bigger than this is refused, not saved
    refresh: bool = False  # ask the server whether files already held have changed
    contact: str | None = None  # an email or URL added to the User-Agent
    hosts: tuple[str, ...] = ()  # other hosts (host or host:port) a fetch may read from

    def __post_init__(self) -> None:
        for name in ("delay", "backoff", "max_backoff", "retries"):
            if getattr(self, name) < 0:
                raise ScrutinyError(f"{name} must be zero or more, not {getattr(self, name)}.")
        if self.timeout <= 0 or self.max_bytes <= 0 or self.max_seconds <= 0:
            raise ScrutinyError("The timeouts and the size limit must be more than zero.")


class RequestFailed(Exception):
    """A URL that could not be fetched; the message says why, in words for the manifest."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class _Transient(Exception):
    """A 5xx or 429 answer: worth asking again after a pause (at least as long as Retry-After asks)."""

    def __init__(self, status: int, retry_after: str | None = None):
        super().__init__(f"the server answered {status}")
        self.status = status
        self.retry_after = float(retry_after) if retry_after and retry_after.strip().isdigit() else None


@dataclass(frozen=True)
class Download:
    """A body saved to a temporary file, with what the server said about it."""

    temp_path: Path
    sha256: str
    size: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    head: bytes  # the first bytes, to check the file is what it claims
    tail: bytes  # the last bytes (a whole PDF ends with %%EOF)


class NotModified:
    """The server says the copy we hold is current (HTTP 304)."""


_HEAD_BYTES = 1024
_TAIL_BYTES = 2048
_MAX_REDIRECTS = 10


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    """The host (with its port, if the URL gives one) that a URL names, in lower case."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


def _describe(error: BaseException) -> str:
    """A transport error in words: a body cut short is a truncated file, the rest are connection faults."""
    if isinstance(error, _Transient):
        return str(error)
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.RemoteProtocolError) and (
        "incomplete" in text or "complete message body" in text
    ):
        return f"the server closed the connection before sending the whole file (truncated: {text})"
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within the time limit ({type(error).__name__})"
    return f"connection failed ({type(error).__name__}: {text})"


class PoliteClient:
    """Sequential GETs through one httpx client, spaced per host, checked against robots.txt.

    ``hosts``: the hosts it may read from (None: any). A redirect is followed only to one of
    them, and each host's own robots.txt is read and obeyed before anything else is fetched
    from it: a site can't send scrutiny to fetch, and later publish, another site's files.
    """

    def __init__(self, settings: FetchSettings | None = None, hosts: Iterable[str] | None = None):
        self.settings = settings or FetchSettings()
        self.user_agent = user_agent(self.settings.contact)
        self.hosts = None if hosts is None else {host.lower() for host in (*hosts, *self.settings.hosts)}
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=False,  # followed here, one hop at a time (_stream)
        )
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.requests = 0  # every request made, retries included

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- politeness --------------------------------------------------------------------

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            pause = self.settings.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets scrutiny fetch ``url`` (read once per site)."""
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(_ROBOTS_AGENT, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's rules; None (everything allowed) where it has none.

        As urllib.robotparser.read() does: 401 or 403 means nothing may be fetched, any
        other 4xx means there are no rules.
        """
        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            body = self.get_bytes(origin + "/robots.txt", check_robots=False, limit=512 * 1024)
        except RequestFailed as failure:
            if failure.status in (401, 403):
                rules.disallow_all = True
                return rules
            if failure.status is None or failure.status >= 500:
                log.warning("Could not read %s/robots.txt (%s); going ahead without rules", origin, failure)
            return None
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules

    # -- requests ----------------------------------------------------------------------

    def _retrying(self) -> tenacity.Retrying:
        backoff = tenacity.wait_exponential(multiplier=self.settings.backoff, max=self.settings.max_backoff)

        def wait(state: tenacity.RetryCallState) -> float:
            asked = getattr(state.outcome.exception(), "retry_after", None) if state.outcome else None
            return max(backoff(state), min(asked or 0, self.settings.max_backoff))

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((httpx.TransportError, _Transient)),
            stop=tenacity.stop_after_attempt(self.settings.retries + 1),
            wait=wait,
            before_sleep=lambda state: log.info(
                "retrying %s after %s", state.args[0] if state.args else "", state.outcome.exception()
            ),
            reraise=True,
        )

    def may_fetch_from(self, url: str) -> bool:
        """Whether ``url`` is on a host this client may read from."""
        return self.hosts is None or host_of(url) in self.hosts

    def _check_host(self, url: str) -> None:
        if not self.may_fetch_from(url):
            raise RequestFailed(
                f"{url} is on another site ({host_of(url)}); not fetched. Name that host with "
                "--allow-host to fetch from it too."
            )

    def _stream(
        self,
        url: str,
        headers: dict[str, str],
        start: Callable[[httpx.Response], None],
        chunk: Callable[[bytes], None],
        limit: int,
        check_robots: bool = True,
    ) -> httpx.Response:
        """One GET with retries, handing the body to ``chunk`` (``start`` is called before
        each attempt's body, so a retried download starts its file again). Redirects are
        followed to the hosts allowed, each hop spaced and checked against robots.txt."""

        def attempt(url: str) -> httpx.Response:
            for hop in range(_MAX_REDIRECTS + 1):
                if hop and not self.may_fetch_from(url):
                    raise RequestFailed(
                        f"the server redirected to {url}, on another site ({host_of(url)}); not "
                        "followed. Name that host with --allow-host to fetch from it too."
                    )
                if hop and check_robots and not self.allowed(url):
                    raise RequestFailed(f"redirected to {url}, which its site's robots.txt does not allow scrutiny to fetch")
                self._wait_turn(url)
                self.requests += 1
                try:
                    answer = receive(url)
                finally:  # the pause runs from the end of a download, however long it took
                    self._last_request[urlsplit(url).netloc] = time.monotonic()
                if isinstance(answer, httpx.Response):
                    return answer
                url = answer  # where the redirect points
            raise RequestFailed(f"more than {_MAX_REDIRECTS} redirects (a redirect loop?); given up")

        def receive(url: str) -> httpx.Response | str:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return response
                if response.is_redirect:
                    return urljoin(str(response.url), response.headers["location"])
                if response.status_code == 429 or response.status_code >= 500:
                    raise _Transient(response.status_code, response.headers.get("retry-after"))
                if response.status_code >= 400:
                    raise RequestFailed(
                        f"the server answered {response.status_code} {response.reason_phrase}",
                        response.status_code,
                    )
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise RequestFailed(f"the file is {int(declared):,} bytes, over the {limit:,}-byte limit")
                start(response)
                received = 0
                deadline = time.monotonic() + self.settings.max_seconds
                for piece in response.iter_bytes():
                    received += len(piece)
                    if received > limit:
                        raise RequestFailed(f"the file is over the {limit:,}-byte limit")
                    if time.monotonic() > deadline:
                        raise RequestFailed(
                            f"the download took longer than {self.settings.max_seconds:g} s in all "
                            f"({received:,} bytes came; the server sends too slowly); not saved"
                        )
                    chunk(piece)
                return response

        try:
            return self._retrying()(attempt, url)
        except (httpx.TransportError, _Transient) as error:
            tries = self.settings.retries + 1
            raise RequestFailed(
                f"{_describe(error)}, after {tries} attempt{'s' if tries > 1 else ''}",
                getattr(error, "status", None),
            ) from error
        except httpx.InvalidURL as error:
            raise RequestFailed(f"not a usable address ({error})") from error
        except httpx.HTTPError as error:  # a body that is not the gzip it claims, ...
            raise RequestFailed(f"the server's answer could not be read ({type(error).__name__}: {error})") from error

    def get_bytes(self, url: str, *, check_robots: bool = True, limit: int | None = None) -> bytes:
        """The whole body of a small answer (a web-service call), in memory."""
        self._check_host(url)
        if check_robots and not self.allowed(url):
            raise RequestFailed("the site's robots.txt does not allow scrutiny to fetch this")
        body = bytearray()
        self._stream(url, {}, lambda _: body.clear(), body.extend, limit or self.settings.max_bytes, check_robots)
        return bytes(body)

    def download(
        self, url: str, temp_path: Path, *, etag: str | None = None, last_modified: str | None = None
    ) -> Download | NotModified:
        """Stream ``url`` into ``temp_path``, hashing as it goes; conditional when validators are given."""
        self._check_host(url)
        if not self.allowed(url):
            raise RequestFailed("the site's robots.txt does not allow scrutiny to fetch this")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        temp_path.parent.mkdir(parents=True, exist_ok=True)
        state: dict = {}

        def start(_: httpx.Response) -> None:
            if "file" in state:
                state["file"].close()
            state.update(file=open(temp_path, "wb"), digest=hashlib.sha256(), size=0, head=b"", tail=b"")

        def chunk(piece: bytes) -> None:
            state["file"].write(piece)
            state["digest"].update(piece)
            state["size"] += len(piece)
            if len(state["head"]) < _HEAD_BYTES:
                state["head"] = (state["head"] + piece)[:_HEAD_BYTES]
            state["tail"] = (state["tail"] + piece)[-_TAIL_BYTES:]

        try:
            response = self._stream(url, headers, start, chunk, self.settings.max_bytes)
        except BaseException:
            if "file" in state:
                state["file"].close()
            temp_path.unlink(missing_ok=True)
            raise
        if response.status_code == 304:
            return NotModified()
        state["file"].flush()
        os.fsync(state["file"].fileno())
        state["file"].close()
        return Download(
            temp_path=temp_path,
            sha256=state["digest"].hexdigest(),
            size=state["size"],
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            head=state["head"],
            tail=state["tail"],
        )
