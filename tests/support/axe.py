"""axe-core (from the npm registry, tests/browser/package.json) run inside a Playwright page.

`axe_violations(page)` injects axe.min.js into the page as it is now and returns the
violations of the impacts that fail a page (serious and critical); `describe` turns them
into a message that names each rule, its help and the elements it found.
"""

from pathlib import Path

__all__ = ["AXE_JS", "axe_violations", "describe"]

AXE_JS = (
    Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
)
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, impacts=FAILING_IMPACTS) -> list[dict]:
    if not AXE_JS.exists():
        raise RuntimeError(
            f"axe-core is not installed at {AXE_JS}: run `make install-test` "
            "(npm install in tests/browser/)."
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                          html: n.html.slice(0, 200)})),
            }));
        }"""
    )
    return [violation for violation in result if violation["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['target']}  {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)
