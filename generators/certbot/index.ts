import type { Cluster } from "../../src/model/cluster.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { LetsEncrypt } from "./lets-encrypt.js";
import { renderIamPolicy } from "./render.js";
import { renderBootstrapScript } from "./serve.js";

export { CERTBOT_IMAGE, LetsEncrypt, type LetsEncryptProps } from "./lets-encrypt.js";
export { iamPolicy, type Lineage } from "./render.js";

/**
 * certbot's operator files: `certbot/iam-policy.json`, the least-privilege IAM policy of the credentials
 * certbot runs with, and `certbot/bootstrap.sh`, which writes the temporary self-signed certificates the
 * first deploy starts nginx with into the shared volume (certbot's node runs the same script at boot; this copy
 * is for a volume mounted elsewhere). With several LetsEncrypt constructs, each gets its own pair, named by id.
 */
export const certbotGenerator = defineGenerator({
  name: "certbot",
  generate({ cluster }: { cluster: Cluster }): GeneratedFile[] {
    const all = cluster.all(LetsEncrypt);
    const delivery = { kind: "operator" } as const;
    return all.flatMap((certbot): GeneratedFile[] => {
      const prefix = all.length === 1 ? "" : `${certbot.node.id}-`;
      return [
        { path: OUT_PATHS.certbotIamPolicy(prefix), content: renderIamPolicy(certbot.policyZones), construct: certbot.path, delivery },
        {
          path: OUT_PATHS.certbotBootstrap(prefix),
          content: renderBootstrapScript(certbot.bootstrapEntries, certbot.front.certificateVolume),
          construct: certbot.path,
          delivery,
        },
      ];
    });
  },
});
