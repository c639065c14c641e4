/**
 * The programme every lista obecności and zaświadczenie names: the funder's auditors look for it
 * on each page. One place, so RCPS can correct the wording once (docs/participation.md).
 */
export const PROGRAMME = {
  name: 'Kooperacje 3D',
  /** The line printed at the top of every page. */
  line: 'Kooperacje 3D · Regionalne Centrum Polityki Społecznej · projekt współfinansowany ze środków Europejskiego Funduszu Społecznego',
  issuer: 'Regionalne Centrum Polityki Społecznej',
} as const;
