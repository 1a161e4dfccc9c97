export { Karma, KARMA_IMAGE, KARMA_PORT, type KarmaProps } from "./karma.js";
