/**
 * A deep copy of plain data (a profile) that may be one of Vue's reactive proxies, which
 * structuredClone refuses. Profiles are JSON data, so a JSON round trip copies them whole.
 */
export function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
