export { DockerHost, type DockerHostProps } from "./docker-host.js";
export { CIS_ITEMS, type CisItem } from "./cis/items.js";
export { cisException } from "./cis/exceptions.js";
export { dockerHostGenerator } from "./cis/index.js";
