import type { Cluster } from "../../src/model/cluster.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { LetsEncrypt } from "./lets-encrypt.js";
import { renderBootstrapScript, renderIamPolicy } from "./render.js";

export { CERTBOT_IMAGE, LetsEncrypt, type LetsEncryptProps } from "./lets-encrypt.js";
export { iamPolicy, type Lineage } from "./render.js";

/**
 * certbot's operator files: `certbot/iam-policy.json`, the least-privilege IAM policy of the credentials
 * certbot runs with, and `certbot/bootstrap.sh`, which writes the temporary self-signed certificates the
 * first deploy starts nginx with. With several LetsEncrypt constructs, each gets its own pair, named by id.
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
          content: renderBootstrapScript(certbot.bootstrapEntries),
          construct: certbot.path,
          delivery,
        },
      ];
    });
  },
});
