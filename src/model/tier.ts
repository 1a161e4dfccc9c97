/** The tiers of the 3-tier stack, plus the SQL proxy layer between app and database. */
export type Tier = "front" | "app" | "proxy" | "db";

/** The `type` node label the seed applies to each tier; stack placement constraints use it. */
export const TIER_LABEL: Readonly<Record<Tier, string>> = {
  front: "front",
  app: "app",
  proxy: "sql-proxy",
  db: "database",
};
