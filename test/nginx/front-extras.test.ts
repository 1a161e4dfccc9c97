// Unit checks of the model (no external program): the country allow-list's validation with located problems,
// and what the error pages and the allow-list put into the rendered files. Real nginx runs them in
// geoip.system.test.ts, nginx-behaviour.system.test.ts and waf-check.system.test.ts.
import { describe, expect, it } from "vitest";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { Testing } from "../../src/index.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";

const located = (problems: readonly { code: string; field?: string | undefined }[]) =>
  problems.filter((problem) => problem.code.startsWith("nginx/")).map((problem) => `${problem.field}: ${problem.code}`);

describe("the GeoIP2 country allow-list", () => {
  it("refuses codes that are no ISO 3166-1 alpha-2 country, and repeats, each at its index", () => {
    const { proxy } = swarmCluster({ proxy: { geoipCountries: ["DE", "de", "XX", "DE", "EU", "FRA", "FR"] } });
    expect(located(proxy.validateConstruct())).toEqual([
      "geoipCountries[1]: nginx/country-invalid",
      "geoipCountries[2]: nginx/country-invalid",
      "geoipCountries[3]: nginx/country-repeated",
      "geoipCountries[4]: nginx/country-invalid",
      "geoipCountries[5]: nginx/country-invalid",
    ]);
  });

  it("refuses an empty list, which would refuse every public visitor, and a database path that is no token", () => {
    const { proxy } = swarmCluster({ proxy: { geoipCountries: [], geoipDatabase: "/db.mmdb; autoindex on" } });
    expect(located(proxy.validateConstruct())).toEqual(["geoipDatabase: nginx/unsafe-argument", "geoipCountries: nginx/no-countries"]);
  });

  it("renders the module, the lookup and the map only when a list is given", async () => {
    const plain = await Testing.synth(swarmCluster().cluster, { generators: [stacksGenerator] });
    expect(plain.get("stacks/front/nginx.conf")).not.toContain("geoip2");
    expect(plain.get("stacks/front/nginx-site-www.conf")).not.toContain("country");
    const { cluster } = swarmCluster({ proxy: { geoipCountries: ["DE", "AT"] } });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    const main = files.get("stacks/front/nginx.conf") ?? "";
    expect(main).toContain("load_module modules/ngx_http_geoip2_module.so;\n");
    expect(main).toContain("    geoip2 /usr/share/GeoIP/GeoLite2-Country.mmdb {\n        $geoip2_country_code country iso_code;\n    }\n");
    expect(main).toContain('        "1:DE" 0;\n        "1:AT" 0;\n');
    expect(files.get("stacks/front/nginx-site-www.conf")).toContain("    if ($refuse_country) {\n        return 403;\n    }\n");
  });
});

describe("the custom error pages", () => {
  it("delivers a page given in the model, and the default page for the others", async () => {
    const page = "<!doctype html><title>Lost</title><p>Nothing here.</p>\n";
    const { cluster } = swarmCluster({ proxy: { errorPages: { "404": page } } });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect(files.get("stacks/front/nginx-page-404.html")).toBe(page);
    expect(files.get("stacks/front/nginx-page-403.html")).toContain("<p>You are not allowed to see this page.</p>");
    expect(files.get("stacks/front.yml")).toContain("target: /etc/nginx/pages/404.html");
    expect(files.get("stacks/front/nginx-site-www.conf")).toContain("    error_page 500 502 503 504 /_pages/5xx.html;\n");
  });

  it("keeps nginx's own pages when turned off", async () => {
    const { cluster } = swarmCluster({ proxy: { errorPages: false } });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect([...files.keys()].filter((file) => file.includes("nginx-page-"))).toEqual([]);
    expect(files.get("stacks/front/nginx-site-www.conf")).not.toContain("error_page");
  });
});
