// types: npx openapi-typescript http://127.0.0.1:8080/api/openapi.json -o api.d.ts
import type { paths } from "./api";

type SearchQuery = paths["/api/search"]["get"]["parameters"]["query"];
type SearchAnswer = paths["/api/search"]["get"]["responses"]["200"]["content"]["application/json"];

export async function search(base: string, query: SearchQuery): Promise<SearchAnswer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) params.append(k, String(x));
  }
  const res = await fetch(`${base}/api/search?${params}`);
  if (!res.ok) throw new Error((await res.json()).error.message);
  return res.json() as Promise<SearchAnswer>;
}

// const page = await search("http://127.0.0.1:8080", { q: "OPCON", series: ["SCM"] });
// page.hits.forEach((h) => console.log(h.title, "¶" + h.n));
