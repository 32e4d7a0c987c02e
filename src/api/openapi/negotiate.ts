/** One media range of an Accept header. */
export interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
}

/**
 * An Accept header's media ranges as `goautoneg.ParseAccept` orders them: by quality, then the more specific
 * first, then in the order written; no Accept counts as `*\/*`, and ranges with q=0 are left out.
 * @see https://github.com/munnerz/goautoneg/blob/master/autoneg.go
 */
export function acceptClauses(accept: string | undefined): AcceptClause[] {
  const specificity = (c: AcceptClause) => (c.type === '*' ? 0 : c.subtype === '*' ? 1 : 2);
  return (accept?.trim() ? accept : '*/*')
    .split(',')
    .map((clause, index) => {
      const [mediaType = '', ...params] = clause.split(';').map((p) => p.trim().toLowerCase());
      const [type = '', subtype = ''] = mediaType.split('/');
      const q = params.find((p) => p.startsWith('q='));
      return { type, subtype, q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((c) => c.type && c.subtype && c.q > 0)
    .sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.index - b.index)
    .map(({ type, subtype, q }) => ({ type, subtype, q }));
}
