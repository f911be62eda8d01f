// Lint rule: kebab-case `.ts`/`.js` file names and PascalCase `.vue` file names (STYLE.md),
// except `useXxx` composables, which keep Vue's own naming. Written here because the usual
// plugin for this (eslint-plugin-unicorn) needs Node 22; the rule is a dozen lines.
import { basename } from 'node:path';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+)*\.(?:ts|js|mjs|cjs)$/;
const PASCAL = /^[A-Z][A-Za-z0-9]*\.vue$/;
const COMPOSABLE = /^use[A-Z][A-Za-z0-9]*\.ts$/;

export const fileNameCase = {
  meta: { type: 'suggestion', schema: [], messages: { bad: '{{name}}: {{expected}}' } },
  create(context) {
    return {
      Program(node) {
        const name = basename(context.filename);
        const isVue = name.endsWith('.vue');
        const ok = isVue ? PASCAL.test(name) : KEBAB.test(name) || COMPOSABLE.test(name);
        if (!ok) {
          const expected = isVue ? 'Vue files are PascalCase (MyView.vue)' : 'use kebab-case (my-module.ts)';
          context.report({ node, messageId: 'bad', data: { name, expected } });
        }
      },
    };
  },
};
