/**
 * The images every sandbox knows, registered in one list. The apps add their own images.
 */
import { BASE_IMAGE_ENTRIES } from "./base.ts";
import type { ImageEntry } from "./catalog.ts";

export const BASE_IMAGES: ImageEntry[] = [...BASE_IMAGE_ENTRIES];
