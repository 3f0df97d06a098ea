"""Sources: the polite, bounded HTTP client through which `publish fetch` reads one MediaWiki.

Only the configured wiki and its media hosts are contacted, over https (plain http only to a
loopback address, for tests and local wikis). Every redirect is followed by hand and checked
like the first URL, so a crafted redirect or image URL cannot reach another host, ``file:`` or
a private address. API requests carry ``maxlag=5``; 429, 503 and ``maxlag``/``ratelimited``
errors are retried with exponential backoff, honouring ``Retry-After``, within a bounded total
wait. Bodies are read as streams and refused past a size bound, before they are downloaded
when the server announces their length.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..report import PublishError

__all__ = ["Client", "Limits", "CONTACT_VARIABLE", "MEDIA_HOSTS", "check_wiki_url",
           "is_loopback", "user_agent"]

log = logging.getLogger("publish")

#: The variable naming who to contact about this client's traffic (an e-mail address or a web
#: page of the person fetching): Wikimedia's User-Agent policy asks every client for one.
CONTACT_VARIABLE = "PUBLISH_CONTACT"


def user_agent() -> str:
    """``publish/<version> (+<contact>) httpx/<version>``; without a contact the User-Agent
    says so, and a fetch from a wiki that is not on this machine warns once."""
    contact = os.environ.get(CONTACT_VARIABLE, "").strip()
    return (f"publish/{__version__} (+{contact or 'no contact given'}) "
            f"httpx/{httpx.__version__}")


#: The hosts a Wikimedia wiki's images come from, besides the wiki itself.
MEDIA_HOSTS = ("upload.wikimedia.org", "commons.wikimedia.org")
RETRIED_STATUSES = (429, 502, 503, 504)
RETRIED_ERRORS = ("maxlag", "ratelimited", "readonly")
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Limits:
    """Represents the bounds of one fetch, like 50 MB for an API answer."""
    api_bytes: int = 50 * 1024 * 1024
    image_bytes: int = 40 * 1024 * 1024
    retries: int = 5
    total_wait: float = 120.0   # seconds spent waiting between retries, at most
    first_wait: float = 2.0     # the first backoff; it doubles with each retry
    timeout: float = 30.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_wiki_url(wiki: str) -> str:
    """``https://zh.wikipedia.org/`` → ``https://zh.wikipedia.org``, or a one-line error."""
    parts = urlsplit(wiki.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(f"{wiki}: not a wiki address (give one like https://zh.wikipedia.org)")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PublishError(f"{wiki}: only https is used (plain http only for a loopback address)")
    _refuse_private(parts.hostname, allow_loopback=is_loopback(parts.hostname))
    return f"{parts.scheme}://{parts.netloc}"


def _refuse_private(host: str, allow_loopback: bool) -> None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if address.is_loopback and allow_loopback:
        return
    if not address.is_global:
        raise PublishError(f"refused to contact the private address {host}")


class Client:
    """Represents a session with one wiki, like ``Client("https://zh.wikipedia.org")``."""

    def __init__(self, wiki: str, limits: Limits = Limits(), concurrency: int = 2):
        self.wiki = check_wiki_url(wiki)
        parts = urlsplit(self.wiki)
        self.scheme, self.netloc = parts.scheme, parts.netloc
        self.host = parts.hostname or ""
        self.limits = limits
        self.api_url = f"{self.wiki}/w/api.php"
        self.waited = 0.0
        self.bytes_read = 0
        if not os.environ.get(CONTACT_VARIABLE, "").strip() and not is_loopback(self.host):
            log.warning("publish: set %s to your e-mail address or web page: Wikimedia asks "
                        "every client to name a contact, and may slow or refuse one that "
                        "does not", CONTACT_VARIABLE)
        self.http = httpx.Client(
            headers={"User-Agent": user_agent(), "Accept-Encoding": "gzip"},
            timeout=httpx.Timeout(limits.timeout, connect=min(10.0, limits.timeout)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            follow_redirects=False, trust_env=not is_loopback(self.host))

    def close(self) -> None:
        self.http.close()

    # -------------------------------------------------------- what may be contacted

    def check_url(self, url: str) -> str:
        """``url`` if this client may fetch it, else a one-line error naming why not."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise PublishError(f"refused {url[:200]}: only http(s) addresses are fetched")
        host = parts.hostname or ""
        if is_loopback(self.host):
            allowed = host == self.host and parts.port == urlsplit(self.wiki).port \
                and parts.scheme == self.scheme
        else:
            allowed = parts.scheme == "https" and (host == self.host or host in MEDIA_HOSTS)
        if not allowed:
            raise PublishError(f"refused {url[:200]}: not {self.host} or its media hosts")
        _refuse_private(host, allow_loopback=is_loopback(self.host))
        return url

    # -------------------------------------------------------- requests

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        """One request, redirects followed by hand (each target checked); the response open."""
        for _ in range(MAX_REDIRECTS + 1):
            self.check_url(url)
            try:
                request = self.http.build_request(method, url, **kwargs)
                response = self.http.send(request, stream=True)
            except httpx.TimeoutException:
                raise PublishError(f"{urlsplit(url).hostname} did not answer within "
                                   f"{self.limits.timeout:g} s") from None
            except httpx.TransportError as error:
                raise PublishError(f"cannot reach {urlsplit(url).hostname} (no network?): "
                                   f"{error or type(error).__name__}") from None
            if response.is_redirect:
                response.close()
                url = urljoin(url, response.headers.get("location", ""))
                if method == "POST":
                    method, kwargs = "GET", {}
                continue
            return response
        raise PublishError(f"{url[:200]}: more than {MAX_REDIRECTS} redirects")

    def _read(self, response: httpx.Response, limit: int, what: str) -> bytes:
        """The body of ``response``, refused past ``limit`` bytes (before reading, if declared)."""
        try:
            declared = int(response.headers.get("content-length", "-1"))
        except ValueError:
            declared = -1
        if declared > limit:
            response.close()
            raise PublishError(f"{what} is {declared:,} bytes, over the {limit:,}-byte limit; "
                               "not downloaded")
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise PublishError(f"{what} is over the {limit:,}-byte limit; not downloaded")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise PublishError(f"{what}: the answer stopped coming in") from None
        except (httpx.TransportError, httpx.DecodingError) as error:
            raise PublishError(f"{what}: the answer broke off ({error})") from None
        finally:
            response.close()
        self.bytes_read += size
        return b"".join(chunks)

    def _wait(self, response: httpx.Response | None, attempt: int, why: str) -> None:
        """Sleep before retry ``attempt``: ``Retry-After`` or the backoff, whichever is longer."""
        delay = self.limits.first_wait * 2 ** attempt
        retry_after = response.headers.get("retry-after", "") if response is not None else ""
        if retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        if attempt >= self.limits.retries or self.waited + delay > self.limits.total_wait:
            raise PublishError(f"{self.host} is {why} and did not clear after "
                               f"{self.waited:.0f} s of waiting; try again later")
        log.info("%s is %s; waiting %.0f s", self.host, why, delay)
        self.waited += delay
        time.sleep(delay)

    def api(self, params: dict, post: bool = False) -> dict:
        """One action API request (JSON, formatversion 2, maxlag 5), retried while the wiki
        is lagged or limiting; an API error is a one-line error."""
        params = {**params, "format": "json", "formatversion": "2", "maxlag": "5"}
        for attempt in range(self.limits.retries + 1):
            if post:
                response = self._send("POST", self.api_url, data=params)
            else:
                response = self._send("GET", self.api_url, params=params)
            if response.status_code in RETRIED_STATUSES:
                response.close()
                self._wait(response, attempt, "rate-limiting this client"
                           if response.status_code == 429 else "busy")
                continue
            body = self._read(response, self.limits.api_bytes, f"{self.host}'s answer")
            if response.status_code != 200:
                raise PublishError(f"{self.api_url} answered HTTP {response.status_code}; "
                                   "is this a MediaWiki?")
            try:
                data = json.loads(body)
            except ValueError:
                raise PublishError(f"{self.api_url} did not answer with JSON (a truncated "
                                   "answer, or not a MediaWiki API)") from None
            if not isinstance(data, dict):
                raise PublishError(f"{self.api_url} answered with something not an API object")
            error = data.get("error")
            if isinstance(error, dict):
                code = str(error.get("code", ""))
                if code in RETRIED_ERRORS:
                    self._wait(response, attempt, "lagged" if code == "maxlag" else
                               "rate-limiting this client" if code == "ratelimited" else
                               "read-only")
                    continue
                raise PublishError(f"{self.host}: {code}: {error.get('info', '')}".strip())
            return data
        raise AssertionError("unreachable: _wait raises after the last attempt")

    def query(self, params: dict, enough: tuple[str, ...] = ()) -> list[dict]:
        """Every answer of an ``action=query`` request, following ``continue`` to the end, or
        until it continues only what ``enough`` names (``iistart``: older file versions)."""
        answers: list[dict] = []
        carry: dict = {}
        for _ in range(100):
            data = self.api({"action": "query", **params, **carry})
            answers.append(data)
            carry = data.get("continue") or {}
            if not isinstance(carry, dict) or set(carry) <= {"continue", *enough}:
                return answers
        raise PublishError(f"{self.host}: more than 100 continued answers; refused")

    def download(self, url: str, what: str) -> bytes:
        """The bytes at ``url`` (a media host), within the image size bound."""
        for attempt in range(self.limits.retries + 1):
            response = self._send("GET", url)
            if response.status_code in RETRIED_STATUSES:
                response.close()
                self._wait(response, attempt, "rate-limiting this client"
                           if response.status_code == 429 else "busy")
                continue
            if response.status_code != 200:
                response.close()
                raise PublishError(f"{what}: HTTP {response.status_code} from "
                                   f"{urlsplit(url).hostname}")
            return self._read(response, self.limits.image_bytes, what)
        raise AssertionError("unreachable: _wait raises after the last attempt")
