"""Telling a page served from the page cache from a rendered one (issue 19): the test
client records the templates a response was rendered with; a hit renders none."""


def from_cache(response) -> bool:
    assert response.status_code == 200
    return not response.templates


def cached(client, url, **extra):
    """The page, viewed until it comes from the cache (a first view may itself write)."""
    for _ in range(3):
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)
        if not response.templates:
            return response.content.decode()
    raise AssertionError(f"{url} never came from the cache")


def fresh(client, url, **extra):
    """The page, which must be rendered anew (not served from the cache)."""
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    assert response.templates, f"{url} was served from the cache after a change"
    return response.content.decode()
