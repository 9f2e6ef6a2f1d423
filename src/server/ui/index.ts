/** The web UI: `uiRoutes(deps)` to mount on a server, `serveUi` for a copied ledger. */
export { uiRoutes, UI_SECURITY_HEADERS, type UiDeps } from "./routes.ts";
export { DEFAULT_UI_LISTEN, serveUi, StaticTokenAuthenticator, randomToken, type ServedUi } from "./serve.ts";
export { objectDiffs, type ObjectDiff } from "./object-diffs.ts";
export { UI_PREFIX } from "./pages.ts";
