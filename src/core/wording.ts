/** "a", "a and b", "a, b and c": names as a sentence lists them. */
export function listed(names: readonly string[], conjunction: "and" | "or" = "and"): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${conjunction} ${names[names.length - 1]}`;
}
