import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { Image } from "./image.js";
import { renderBuildScript } from "./render.js";

export {
  DEBIAN_BASE,
  Image,
  NginxWafImage,
  PhpFpmImage,
  type ImageProps,
  type NginxWafImageProps,
  type PhpFpmImageProps,
} from "./image.js";
export { Registry, REGISTRY_TLS, type RegistryProps } from "./registry.js";
export { registryCaPath } from "./trust.js";
export { contextTag } from "./render.js";

/**
 * out/images/: each image's build context (`<name>/Dockerfile` and the files it copies) and build.sh, which
 * builds them all with the tags the stacks reference and pushes them to the registry.
 */
export const imagesGenerator = defineGenerator({
  name: "images",
  generate({ cluster }) {
    const images = cluster.all(Image);
    if (images.length === 0) return [];
    const files: GeneratedFile[] = [];
    for (const image of images) {
      for (const [file, content] of image.context) {
        files.push({ path: OUT_PATHS.imageFile(image.imageName, file), content, construct: image.path, delivery: { kind: "operator" } });
      }
    }
    files.push({
      path: OUT_PATHS.imageBuildScript,
      content: renderBuildScript(images.map((image) => ({ folder: image.imageName, ref: image.ref }))),
      construct: images[0]?.path ?? "",
      delivery: { kind: "operator" },
    });
    return files;
  },
});
