/**
 * The images every sandbox knows, registered in one list. The apps add their own images.
 */
import { appImageEntries } from "./app-images.ts";
import { BASE_IMAGE_ENTRIES } from "./base.ts";
import type { ImageEntry } from "./catalog.ts";
import type { InstanceTable } from "./instances.ts";

export const BASE_IMAGES: ImageEntry[] = [...BASE_IMAGE_ENTRIES];

/** The apps' images, bound to one sandbox's instance table (their processes are recorded there). */
export const appImages = (instances: InstanceTable): ImageEntry[] => appImageEntries(instances);
