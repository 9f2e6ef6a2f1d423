/**
 * Image references as faults read and rewrite them: split a reference into repository and tag,
 * swap the tag, and pick a tag that plausibly does not exist (the next minor release, which no
 * registry here has published).
 */

export function splitImage(image: string): { repo: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repo: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? { repo: image.slice(0, colon), tag: image.slice(colon + 1) } : { repo: image, tag: "latest" };
}

export const withTag = (image: string, tag: string) => `${splitImage(image).repo}:${tag}`;

/** "1.0.0" -> "1.1.0", "4.4.6" -> "4.5.0"; a tag without numbers gets "-v2". */
export function unpublishedTag(tag: string): string {
  const m = /^(v?)(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(tag);
  if (m) return `${m[1]}${m[2]}.${Number(m[3]) + 1}.0${m[5]}`;
  return `${tag}-v2`;
}
