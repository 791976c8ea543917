/** The text `flow doctor` and `flow hooks` recognise flow's own hooks by. */
export const HOOK_MARKER = 'flow hooks'

/** The suffix an existing hook gets when flow's hook takes its place and chains to it. */
export const LOCAL_SUFFIX = '.local'

/** True when a hook file's text is one flow wrote. */
export function isFlowHook(text: string): boolean {
  return text.includes(`# ${HOOK_MARKER}:`)
}

/**
 * The shell script of one git hook: runs the hook it replaced first (its exit status respected, with git's arguments
 * and stdin), then `flow gates run STAGE` with the flow on PATH, else the project's through `npx --no-install`.
 * The hook name comes from a fixed list; git's arguments are passed on only as quoted "$@" / "$1", never re-parsed.
 */
export function hookScript(hook: string): string {
  if (!/^[a-z-]+$/.test(hook)) throw new Error(`not a git hook name: ${hook}`)
  const args = hook === 'commit-msg' ? ` --message-file "$1"` : ''
  return `#!/bin/sh
# ${HOOK_MARKER}: runs the flow stage ${hook} (written by flow hooks install; flow hooks uninstall removes it
# and puts back the hook it replaced). Edit flow.yml (stages.${hook}) rather than this file.
hook_dir=$(dirname -- "$0")
if [ -x "$hook_dir/${hook}${LOCAL_SUFFIX}" ]; then
  "$hook_dir/${hook}${LOCAL_SUFFIX}" "$@" || exit $?
fi
if command -v flow >/dev/null 2>&1; then
  exec flow gates run ${hook}${args} </dev/null
fi
exec npx --no-install flow gates run ${hook}${args} </dev/null
`
}
