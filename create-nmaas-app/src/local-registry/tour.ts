/**
 * The README's tour ("A tour"), word for word: the end-to-end test runs it and the developer-path
 * benchmark times it, so both say the same command as the README.
 */
export const TOUR_CREATE_ARGS: readonly string[] = [
  'create',
  'nmaas-app@latest',
  'my-probe',
  '--',
  '--yes',
  '--template',
  'http-probe',
  '--every',
  '5m',
  '--duration',
  '30s',
  '--cpu',
  '100m',
  '--memory',
  '96Mi',
  '--bandwidth',
  '5Mbps',
];
