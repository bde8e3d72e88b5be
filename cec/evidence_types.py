"""The kinds of file accepted as evidence and the extension each is stored with. Its own
module, importing nothing of cec, so the model's upload path can use it."""

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}


def extension_for(content_type: str) -> str:
    return ALLOWED_TYPES.get(content_type, "")
