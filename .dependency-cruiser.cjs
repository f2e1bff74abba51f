/**
 * The house rule of src/: folders in layers, each importing only from its own folder or a
 * lower layer, and no import cycle (type imports included). `npm run lint:layers` checks it;
 * CI runs it. The order, lowest first, is written out once here and in README § Architecture.
 */
const LAYERS = [
  ['util'],
  ['calendar'],
  ['policy'],
  ['store'],
  ['shared'],
  ['engine'],
  ['observe', 'plan', 'bcss'],
  ['report'],
  ['testing', 'cli'],
];

const rankOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank])));

/** For each folder: the folders it must not import (higher layers, and siblings of its layer). */
const layerRules = [...rankOf].map(([folder, rank]) => {
  const forbidden = [...rankOf].filter(([other, otherRank]) => other !== folder && otherRank >= rank).map(([other]) => other);
  return {
    name: `layer-${folder}`,
    comment: `src/${folder}/ imports only from its own folder and the layers below it (${LAYERS.slice(0, rank).flat().join(', ') || 'none'})`,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: `^src/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-entry-imports',
      comment: 'the entry points (src/*.ts) are the top: nothing inside src/ imports them',
      severity: 'error',
      from: { path: '^src/.+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle, type imports included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every file of src/ is an entry point or lives in a folder of a layer',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/([^/]+\\.ts$|(${[...rankOf.keys()].join('|')})/)` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
