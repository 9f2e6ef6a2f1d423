/** verify_ledger: checks the ledger's hash chain, every entry's MAC and its head anchors. */
import { READ_ONLY, defineTool, toolInput } from "./tool.ts";

export const verifyLedger = defineTool({
  name: "verify_ledger",
  title: "Verify the ledger",
  description:
    "Verifies the mitigation ledger end to end: recomputes every entry's hash and chain link, checks every entry's MAC with the ledger key, " +
    "and compares the signed head kept outside the database. Returns ok (true when nothing was tampered with), entries (how many were found intact), " +
    "head (seq, id, hash of the newest entry), warnings, and — when ok is false — firstBad: the seq and id of the first bad entry and the problem " +
    "(edited, deleted-before, reordered, chain-broken, malformed, mac-mismatch, mac-missing, key-missing, key-mismatch, head-missing, head-forged, head-mismatch, truncated). " +
    "Use it before trusting the ledger's history. Read-only.",
  input: toolInput({}),
  verb: "read",
  annotations: READ_ONLY,
  async run(_args, { deps }) {
    return deps.ledger.verifyAnchored();
  },
});
