/**
 * The three patch formats the simulated API server accepts on PATCH, as pure functions over plain
 * JSON values: RFC 6902 JSON Patch (`application/json-patch+json`), RFC 7386 JSON Merge Patch
 * (`application/merge-patch+json`) and a Kubernetes strategic merge patch
 * (`application/strategic-merge-patch+json`, what `kubectl patch`, `set image`, `rollout restart`,
 * `cordon`, `label` and `annotate` send). None of them mutates its inputs: each deep-copies the
 * document and returns the copy. Strategic merge has no Go struct tags to consult here, so it picks
 * a list's merge key from the field name (`containers` by `name`, `volumeMounts` by `mountPath`, …);
 * lists it does not know are replaced whole, which is also what Kubernetes does for such fields.
 * Bad input throws `PatchError`, whose message is meant to be shown to the person who sent it.
 */

type JsonObject = { [key: string]: unknown };

/** A patch that cannot be applied; `message` says which operation failed and why. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

function isObject(v: unknown): v is JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Assigns without ever touching a prototype, even for a key named `__proto__`. */
function setKey(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) setKey(out, k, clone(v[k]));
    return out as T;
  }
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function show(v: unknown): string {
  const s = v === undefined ? "undefined" : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function kindOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

// ---------------------------------------------------------------------------------------------
// RFC 6902 JSON Patch

/** Raised inside one operation; `applyJsonPatch` prefixes it with the operation's description. */
class OpFailure extends Error {}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new OpFailure(`invalid JSON pointer ${show(pointer)}: must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((seg) => {
      if (/~(?![01])/.test(seg)) throw new OpFailure(`invalid JSON pointer ${show(pointer)}: "~" must be followed by 0 or 1`);
      return seg.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

function arrayIndex(seg: string, length: number, forAdd: boolean): number {
  if (forAdd && seg === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) throw new OpFailure(`invalid array index ${show(seg)}`);
  const i = Number(seg);
  if (i > length || (!forAdd && i === length)) throw new OpFailure(`array index ${i} out of range (length ${length})`);
  return i;
}

/** The container holding the target of `tokens`, or a failure naming the missing ancestor. */
function parentOf(root: unknown, tokens: string[]): unknown {
  let cur = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const seg = tokens[i];
    let next: unknown;
    if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(seg) && Number(seg) < cur.length) next = cur[Number(seg)];
    else if (isObject(cur) && hasOwn(cur, seg)) next = cur[seg];
    else throw new OpFailure("path not found");
    cur = next;
  }
  return cur;
}

function getAt(root: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return root;
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === "-") throw new OpFailure("path not found");
    return parent[arrayIndex(last, parent.length, false)];
  }
  if (isObject(parent) && hasOwn(parent, last)) return parent[last];
  throw new OpFailure("path not found");
}

/** Returns the new root (only different when the whole document is replaced). */
function addAt(root: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) setKey(parent, last, value);
  else throw new OpFailure(`path not found: parent is ${kindOf(parent)}, not an object or array`);
  return root;
}

function removeAt(root: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) throw new OpFailure("cannot remove the whole document");
  const parent = parentOf(root, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === "-") throw new OpFailure("path not found");
    return parent.splice(arrayIndex(last, parent.length, false), 1)[0];
  }
  if (!isObject(parent) || !hasOwn(parent, last)) throw new OpFailure("path not found");
  const old = parent[last];
  delete parent[last];
  return old;
}

const JSON_PATCH_OPS = ["add", "remove", "replace", "move", "copy", "test"];

/**
 * Applies an RFC 6902 patch (an array of operations) to a copy of `doc` and returns the copy.
 * Operations are numbered from 0 in error messages, matching their index in the array; the
 * patch is all-or-nothing because a failure discards the copy.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError(`json patch must be a JSON array of operations, got ${kindOf(ops)}`);
  let root = clone(doc);
  ops.forEach((op, i) => {
    if (!isObject(op)) throw new PatchError(`json patch operation ${i}: must be an object, got ${kindOf(op)}`);
    const name = op.op;
    const path = op.path;
    const label = [typeof name === "string" ? name : "?", typeof path === "string" ? path : ""].join(" ").trim();
    const fail = (reason: string) => new PatchError(`json patch operation ${i} (${label}): ${reason}`);
    if (typeof name !== "string") throw fail(`missing "op"`);
    if (!JSON_PATCH_OPS.includes(name)) throw fail(`unknown op ${show(name)}; expected one of ${JSON_PATCH_OPS.join(", ")}`);
    if (typeof path !== "string") throw fail(hasOwn(op, "path") ? `"path" must be a string` : `missing "path"`);
    if ((name === "add" || name === "replace" || name === "test") && !hasOwn(op, "value")) throw fail(`missing "value"`);
    if ((name === "move" || name === "copy") && typeof op.from !== "string") throw fail(`missing "from"`);
    try {
      const to = parsePointer(path);
      switch (name) {
        case "add":
          root = addAt(root, to, clone(op.value));
          break;
        case "remove":
          removeAt(root, to);
          break;
        case "replace":
          getAt(root, to);
          if (to.length === 0) root = clone(op.value);
          else {
            const parent = parentOf(root, to) as JsonObject | unknown[];
            const last = to[to.length - 1];
            if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = clone(op.value);
            else setKey(parent, last, clone(op.value));
          }
          break;
        case "move": {
          const from = op.from as string;
          if (from === path) {
            getAt(root, parsePointer(from));
            break;
          }
          if (path.startsWith(`${from}/`)) throw new OpFailure(`cannot move ${from} into its own child ${path}`);
          const value = removeFrom(root, from);
          root = addAt(root, to, value);
          break;
        }
        case "copy":
          root = addAt(root, to, clone(getFrom(root, op.from as string)));
          break;
        case "test": {
          const actual = getAt(root, to);
          if (!deepEqual(actual, op.value)) throw new OpFailure(`test failed: value is ${show(actual)}, expected ${show(op.value)}`);
          break;
        }
      }
    } catch (err) {
      if (err instanceof OpFailure) throw fail(err.message);
      throw err;
    }
  });
  return root;
}

function getFrom(root: unknown, from: string): unknown {
  try {
    return getAt(root, parsePointer(from));
  } catch (err) {
    if (err instanceof OpFailure && err.message === "path not found") throw new OpFailure(`from ${from}: path not found`);
    throw err;
  }
}

function removeFrom(root: unknown, from: string): unknown {
  getFrom(root, from);
  return removeAt(root, parsePointer(from));
}

// ---------------------------------------------------------------------------------------------
// RFC 7386 JSON Merge Patch

/** Applies an RFC 7386 merge patch: null deletes, objects merge recursively, anything else replaces. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return isObject(patch) ? mergeInto(clone(doc), patch) : clone(patch);
}

/** RFC 7386 over a `target` that is already a private copy, so it can be changed in place. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete out[key];
    else setKey(out, key, mergeInto(hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes strategic merge patch

/** Lists of objects merged element-by-element, keyed by this field of each element. */
export const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  imagePullSecrets: "name",
  env: "name",
  resourceClaims: "name",
  schedulingGates: "name",
  secrets: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  addresses: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
};

/** Lists of primitives merged as sets (Kubernetes' `patchStrategy:"merge"` on a []string). */
export const SET_LISTS = new Set(["finalizers", "podCIDRs"]);

const DELETE = Symbol("delete");

function mergeKeyFor(field: string, lists: unknown[][]): string | undefined {
  if (field === "ports") {
    const hasContainerPort = lists.some((l) => l.some((e) => isObject(e) && hasOwn(e, "containerPort")));
    return hasContainerPort ? "containerPort" : "port";
  }
  return hasOwn(MERGE_KEYS, field) ? MERGE_KEYS[field] : undefined;
}

/**
 * Applies a Kubernetes strategic merge patch to a copy of `doc`. Maps merge as in a JSON merge
 * patch (null deletes a key); lists follow the field-name rules above; the directives `$patch`
 * (`merge`, `replace`, `delete`, on maps and on list elements), `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` are honoured and never
 * appear in the result.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw new PatchError(`strategic merge patch must be a JSON object, got ${kindOf(patch)}`);
  const base = isObject(doc) ? clone(doc) : {};
  const out = mergeMap(base, patch, "");
  return out === DELETE ? {} : out;
}

/** Merges `patch` into `target` in place (target is already a private copy). */
function mergeMap(target: JsonObject, patch: JsonObject, path: string): JsonObject | typeof DELETE {
  const directive = patch.$patch;
  if (directive === "delete") return DELETE;
  if (directive === "replace") {
    const { $patch: _ignored, ...rest } = patch;
    return mergeMap({}, rest, path);
  }
  if (directive !== undefined && directive !== "merge") {
    throw new PatchError(`strategic merge patch at ${path || "/"}: unknown $patch directive ${show(directive)}`);
  }
  if (hasOwn(patch, "$retainKeys")) {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep) || !keep.every((k) => typeof k === "string")) {
      throw new PatchError(`strategic merge patch at ${path || "/"}: $retainKeys must be a list of strings`);
    }
    for (const k of Object.keys(target)) if (!keep.includes(k)) delete target[k];
  }
  const orders: [string, unknown][] = [];
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const at = `${path}/${key}`;
    if (key === "$patch" || key === "$retainKeys") continue;
    if (key.startsWith("$setElementOrder/")) {
      orders.push([key.slice("$setElementOrder/".length), value]);
      continue;
    }
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      if (!Array.isArray(value)) throw new PatchError(`strategic merge patch at ${at}: must be a list`);
      const cur = target[field];
      if (Array.isArray(cur)) setKey(target, field, cur.filter((e) => !value.some((d) => deepEqual(d, e))));
      continue;
    }
    if (value === null) {
      delete target[key];
    } else if (isObject(value)) {
      const cur = hasOwn(target, key) ? target[key] : undefined;
      const merged = mergeMap(isObject(cur) ? cur : {}, value, at);
      if (merged === DELETE) delete target[key];
      else setKey(target, key, merged);
    } else if (Array.isArray(value)) {
      const cur = hasOwn(target, key) ? target[key] : undefined;
      setKey(target, key, mergeList(key, Array.isArray(cur) ? cur : [], value, at));
    } else {
      setKey(target, key, value);
    }
  }
  for (const [field, order] of orders) {
    const cur = target[field];
    if (!Array.isArray(order)) throw new PatchError(`strategic merge patch at ${path}/$setElementOrder/${field}: must be a list`);
    if (Array.isArray(cur)) setKey(target, field, reorder(cur, order, mergeKeyFor(field, [cur, order])));
  }
  return target;
}

/** A new subtree from the patch: directives applied against nothing, nulls dropped. */
function fresh(value: unknown, path: string): unknown {
  if (isObject(value)) {
    const m = mergeMap({}, value, path);
    return m === DELETE ? undefined : m;
  }
  return clone(value);
}

function mergeList(field: string, target: unknown[], patch: unknown[], path: string): unknown[] {
  const replaceMarker = patch.findIndex((e) => isObject(e) && e.$patch === "replace");
  if (replaceMarker >= 0) {
    return patch
      .filter((_, i) => i !== replaceMarker)
      .map((e, i) => fresh(e, `${path}/${i}`))
      .filter((e) => e !== undefined);
  }
  if (SET_LISTS.has(field) && patch.every((e) => !isObject(e) && !Array.isArray(e))) {
    const out = [...target];
    for (const e of patch) if (!out.some((x) => deepEqual(x, e))) out.push(e);
    return out;
  }
  const key = mergeKeyFor(field, [target, patch]);
  if (key !== undefined && patch.length === 0) return target; // an empty list merges nothing
  if (key === undefined || !patch.some(isObject)) return clone(patch);
  const out = [...target];
  patch.forEach((elem, i) => {
    if (!isObject(elem)) throw new PatchError(`strategic merge patch at ${path}/${i}: list "${field}" merges by "${key}", so its elements must be objects, got ${kindOf(elem)}`);
    if (!hasOwn(elem, key) || elem[key] === null) {
      throw new PatchError(`strategic merge patch at ${path}/${i}: element of "${field}" has no merge key "${key}"`);
    }
    const id = elem[key];
    const match = (e: unknown) => isObject(e) && deepEqual(e[key], id);
    if (elem.$patch === "delete") {
      for (let j = out.length - 1; j >= 0; j--) if (match(out[j])) out.splice(j, 1);
      return;
    }
    const j = out.findIndex(match);
    if (j >= 0) {
      const merged = mergeMap(out[j] as JsonObject, elem, `${path}/${i}`);
      if (merged === DELETE) out.splice(j, 1);
      else out[j] = merged;
    } else {
      const added = fresh(elem, `${path}/${i}`);
      if (added !== undefined) out.push(added);
    }
  });
  return out;
}

/**
 * Orders `list` as `$setElementOrder` says. Elements the order does not mention (the server's
 * own additions) stay right after the element they followed, or at the front if none did.
 */
function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const idOf = (e: unknown) => (key !== undefined && isObject(e) ? e[key] : e);
  const wanted = order.map(idOf);
  const isWanted = (e: unknown) => wanted.some((w) => deepEqual(w, idOf(e)));
  const leading: unknown[] = [];
  const groups: { id: unknown; items: unknown[] }[] = [];
  let current = leading;
  for (const e of list) {
    if (isWanted(e)) {
      current = [e];
      groups.push({ id: idOf(e), items: current });
    } else current.push(e);
  }
  const out = [...leading];
  for (const w of wanted) {
    const i = groups.findIndex((g) => deepEqual(g.id, w));
    if (i >= 0) out.push(...groups.splice(i, 1)[0].items);
  }
  for (const g of groups) out.push(...g.items);
  return out;
}
