export { DockerHost, type DockerHostProps } from "./docker-host.js";
