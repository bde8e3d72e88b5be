"""Static files storage for production: WhiteNoise's compressed, hashed-name manifest."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Leaves source-map comments alone: the vendored Bootstrap names its .map files but
    does not ship them, and the manifest step would otherwise refuse to collect it (a
    browser simply finds no source map)."""

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            if matchobj.groupdict()["url"].strip().split("?")[0].endswith(".map"):
                return matchobj.groupdict()["matched"]
            return convert(matchobj)

        return converter
