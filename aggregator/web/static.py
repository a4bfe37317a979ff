"""The published folder over HTTP: what a reader's browser and a feed reader get for each file.

`output_dir` is the symlink that `publish` swaps to a new build folder. Every request resolves it
once and looks up everything it needs (the file, a directory's index.html, the 404 page) inside
that one build, so a swap is picked up at once, a request never mixes two builds, and no path
(`..`, `%2e%2e`, a symlink inside the build) reaches a file outside the build.

Per file: the right media type with charset (feeds as application/rss+xml, application/atom+xml,
application/feed+json), Last-Modified and an ETag with 304 on If-None-Match / If-Modified-Since
(feed readers poll), Cache-Control (pages and feeds briefly, the stylesheet and icon longer),
`Vary: Accept-Encoding` on everything the app compresses. A directory is served by its
index.html or not at all: there are no listings.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

FEED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Pages and feeds change with every publish: readers and proxies may reuse them for five minutes,
# then ask again (a 304 costs little). The stylesheet and icon change only with a release.
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=86400"
NOT_FOUND_CACHE = "public, max-age=60"
SHORT_CACHED_SUFFIXES = frozenset({".html", ".xml", ".json", ".opml", ".txt"})
# What GZipMiddleware leaves alone (already compressed); everything else may be sent gzipped.
NOT_COMPRESSED = frozenset(DEFAULT_EXCLUDED_CONTENT_TYPES)


def media_type(name: str) -> str:
    """The Content-Type of a published file, by its name."""
    suffix = os.path.splitext(name)[1].lower()
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FEED_TYPES.get(name) or CONTENT_TYPES.get(suffix) or guessed


def compressible(content_type: str) -> bool:
    """Whether the app's GZipMiddleware compresses this type (mirrors its exclusion rule)."""
    bare = content_type.partition(";")[0].strip().lower()
    return not {bare, bare.partition("/")[0] + "/*"} & NOT_COMPRESSED


@dataclass(frozen=True, slots=True)
class _Found:
    """What one request found in the current build."""

    path: str | None = None  # a regular file to send (200)
    stat: os.stat_result | None = None
    redirect: bool = False  # a directory with index.html asked for without the trailing slash
    not_found_page: str | None = None  # 404.html of the same build
    not_found_stat: os.stat_result | None = None


class PublishedSite(StaticFiles):
    """Starlette's StaticFiles, narrowed to a published site behind a swapped symlink."""

    def __init__(self, output_dir: Path) -> None:
        # abspath, not resolve(): the symlink is followed anew on every request.
        self.output_dir = os.path.abspath(output_dir)
        super().__init__(directory=self.output_dir, html=True, check_dir=False)

    async def check_config(self) -> None:
        """No start-up check: before the first publish the folder may not exist yet (404 then)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, "Methode nicht erlaubt", headers={"Allow": "GET, HEAD"})
        slash = scope["path"].endswith("/")
        found = await anyio.to_thread.run_sync(self._find, path, slash)
        if found.redirect:
            # A relative Location built from the normalized path: never a scheme-relative
            # "//host/" and never the client's Host header.
            target = "/" + quote(path.replace(os.sep, "/")) + "/"
            query = scope.get("query_string", b"").decode("latin-1")
            return RedirectResponse(target + (f"?{query}" if query else ""), status_code=301)
        if found.path is not None and found.stat is not None:
            return self._file(found.path, found.stat, scope)
        if found.not_found_page is not None and found.not_found_stat is not None:
            return FileResponse(
                found.not_found_page,
                status_code=404,
                stat_result=found.not_found_stat,
                media_type=CONTENT_TYPES[".html"],
                headers={
                    "Cache-Control": NOT_FOUND_CACHE,
                    "ETag": _etag(found.not_found_stat, weak=True),
                    "Vary": "Accept-Encoding",
                },
            )
        raise HTTPException(404, "Seite nicht gefunden")

    def _find(self, path: str, slash: bool) -> _Found:
        root = os.path.realpath(self.output_dir)  # the build that is live right now
        file, info = _inside(root, path)
        if info is not None and stat.S_ISREG(info.st_mode):
            return _Found(file, info)
        if info is not None and stat.S_ISDIR(info.st_mode):
            index, index_info = _inside(root, os.path.join(path, "index.html"))
            if index_info is not None and stat.S_ISREG(index_info.st_mode):
                if path != "." and not slash:
                    return _Found(redirect=True)
                return _Found(index, index_info)
        page, page_info = _inside(root, "404.html")
        if page_info is not None and stat.S_ISREG(page_info.st_mode):
            return _Found(not_found_page=page, not_found_stat=page_info)
        return _Found()

    def _file(self, path: str, info: os.stat_result, scope: Scope) -> Response:
        content_type = media_type(os.path.basename(path))
        suffix = os.path.splitext(path)[1].lower()
        headers = {
            "Cache-Control": SHORT_CACHE if suffix in SHORT_CACHED_SUFFIXES else LONG_CACHE,
            "ETag": _etag(info, weak=compressible(content_type)),
        }
        if compressible(content_type):
            headers["Vary"] = "Accept-Encoding"
        response = FileResponse(path, stat_result=info, media_type=content_type, headers=headers)
        if _not_modified(Headers(scope=scope), response.headers["etag"], info):
            return NotModifiedResponse(response.headers)
        return response


def _inside(root: str, path: str) -> tuple[str, os.stat_result | None]:
    """The real path of `path` under `root` and its stat, or None if missing or outside root."""
    if path.startswith(("/", "\\")):
        return "", None
    try:
        full = os.path.realpath(os.path.join(root, path))
        if os.path.commonpath([full, root]) != root:
            return "", None  # `..` or a symlink that leads out of the build
        return full, os.stat(full)
    except (OSError, ValueError):  # missing, unreadable, a name too long, a NUL byte
        return "", None


def _etag(info: os.stat_result, *, weak: bool) -> str:
    """A validator that changes whenever the file is replaced (every publish writes new files).

    Weak for the types that may be sent gzipped: the gzipped and the plain bytes are the same
    resource but not the same octets, which a strong ETag would promise.
    """
    tag = f'"{info.st_ino:x}-{info.st_mtime_ns:x}-{info.st_size:x}"'
    return f"W/{tag}" if weak else tag


def _not_modified(request: Headers, etag: str, info: os.stat_result) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        ours = etag.removeprefix("W/")
        return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))
    if_modified_since = request.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(info.st_mtime) <= since
