/**
 * The team's process document, written from flow.yml in the outline of templates/process-document-outline.md.
 * Every statement names the flow.yml key it comes from; where flow.yml is silent the document says so instead of
 * inventing text, and each step says whether flow enforces it or it stays manual.
 */
import type {Command, FlowConfig, GateConfig} from '../config/schema.js'

/** One labelled statement under a heading. */
export interface Statement {
  label: string
  /** The text; undefined when flow.yml says nothing about it. */
  text?: string
  /** The flow.yml keys the text comes from. */
  from?: string[]
  /** Whether flow carries the step out and checks it, or people do. */
  how?: 'enforced' | 'manual'
  /** True when the value is flow's default, not written in flow.yml. */
  defaulted?: boolean
}

/** A heading of the outline with its statements (or numbered groups of them). */
export interface DocSection {
  level: number
  heading: string
  statements?: Statement[]
  numbered?: Array<{title: string; statements: Statement[]}>
}

/** What the generator reads. */
export interface ProcessInput {
  config: FlowConfig
  /** flow.yml as written (before defaults), to tell written values from defaults; {} when there is no file. */
  raw: Record<string, unknown>
  /** The project name for the title. */
  name: string
  /** Optional current figures (Markdown) placed under Performance Tracking. */
  figures?: string
}

/** The line that says a topic is not in flow.yml. */
export const SILENT = 'Not described in flow.yml.'

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``
const cmd = (c: Command) => code(Array.isArray(c) ? c.join(' ') : c)
const list = (items: string[]) => (items.length === 0 ? 'none' : items.join(', '))
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

function has(raw: Record<string, unknown>, path: string): boolean {
  let node: unknown = raw
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false
    node = (node as Record<string, unknown>)[key]
  }
  return true
}

function gateText(name: string, gate: GateConfig): string {
  const what = 'run' in gate ? `runs ${cmd(gate.run)}` : `builtin ${code(gate.builtin)}`
  const extra = [gate.needs.length > 0 ? `after ${list(gate.needs)}` : '', gate.optional ? 'optional (reported, does not fail the stage)' : '', gate.inputs.length > 0 ? 'cached by its inputs' : ''].filter(Boolean)
  return `${code(name)} ${what}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`
}

/** Builds the sections of the document; a pure function of the configuration. */
export function processSections(input: ProcessInput): DocSection[] {
  const {config: c, raw} = input
  const said = (label: string, text: string, from: string[], how?: Statement['how']): Statement => ({label, text, from, ...(how ? {how} : {}), ...(from.every((f) => !has(raw, f)) ? {defaulted: true} : {})})
  const silent = (label: string): Statement => ({label})
  const silentAll = (...labels: string[]) => labels.map(silent)

  const envs = Object.entries(c.environments)
  const gates = Object.entries(c.gates)
  const stages = Object.entries(c.stages).filter(([, g]) => g !== undefined && g.length > 0) as Array<[string, string[]]>
  const severities = Object.entries(c.incidents.severities)
  const services = Object.entries(c.services)
  const submit = c.stages.submit ?? []
  const production = c.metrics.production
  const hasGate = (builtin: string) => gates.filter(([, g]) => 'builtin' in g && g.builtin === builtin).map(([n]) => n)
  const strategyText = (s: NonNullable<FlowConfig['environments'][string]['strategy']>) =>
    s === 'rolling' ? 'rolling' : 'rolling' in s ? `rolling, ${s.rolling.batch} at a time` : 'canary' in s ? `canary at ${s.canary.steps.join('% → ')}%, ${s.canary.pause} per step${s.canary.analysis ? ', with analysis' : ''}` : `blue-green between ${s['blue-green'].colors.join(' and ')}`
  const order = envs.map(([n, e]) => (e.after.length > 0 ? `${n} (after ${e.after.join(', ')})` : n))
  const freezes = [...c.changes.freeze.map((f) => `${f} (all environments)`), ...envs.flatMap(([n, e]) => e.freeze.map((f) => `${f} (${n})`))]

  const sourceControl: Statement[] = [
    said('Branching Strategy', `${c.branches.strategy}: main branch ${code(c.branches.main)}${c.branches.strategy === 'git-flow' ? `, integration branch ${code(c.branches.develop)}, release branches ${code(c.branches.release)}` : ''}; feature branches ${code(c.branches.feature)}, hotfix branches ${code(c.branches.hotfix)}. \`flow feature start\` names and creates them.`, ['branches'], 'enforced'),
    said('Code Review Process', `Pull requests need ${plural(c.review.approvals, 'approval')} before \`flow feature finish\` merges (refused otherwise); reviewers: ${c.review.reviewers === 'codeowners' ? 'from CODEOWNERS' : list(c.review.reviewers)}${c.review.draft ? '; opened as drafts' : ''}. Reading the change stays with the reviewers.`, ['review.approvals', 'review.reviewers'], 'enforced'),
    said('Merge Strategy', `${c.review.merge} into the base branch by \`flow feature finish\`${c.review.delete_branch ? ', then the branch is deleted' : ''}.`, ['review.merge', 'review.delete_branch'], 'enforced'),
    said('Conflict Resolution', `Branches take in their base by ${c.review.sync} (\`flow feature sync\`); a conflict pauses the run for a person to resolve, then \`flow continue\`.`, ['review.sync'], 'manual'),
  ]
  const buildTest: Statement[] = [
    said('Triggered Events', `Git hooks run the stages ${list(c.hooks.install.map(code))} (\`flow hooks install\`); CI runs the submit stage from ${code(c.ci.path)} (\`flow ci generate\`).`, ['hooks.install', 'ci.path'], 'enforced'),
    stages.length > 0 ? said('Pipeline Stages', stages.map(([s, g]) => `${code(s)}: ${list(g.map(code))}`).join('; ') + '. Gates run in parallel where their needs allow.', ['stages'], 'enforced') : silent('Pipeline Stages'),
    gates.length > 0 ? said('Quality Gates', gates.map(([n, g]) => gateText(n, g)).join('; ') + '.', ['gates'], 'enforced') : silent('Quality Gates'),
    silent('Artifact Management'),
  ]
  const deployment: Statement[] = envs.length === 0
    ? silentAll('Environment Promotion', 'Deployment Strategies', 'Rollback Process', 'Production Deployment')
    : [
        said('Environment Promotion', `In order: ${order.join(', ')}. \`flow env promote\` refuses to skip a stage of the order${envs.some(([, e]) => e.approvals > 0) ? `; approvals: ${envs.filter(([, e]) => e.approvals > 0).map(([n, e]) => `${n} ${e.approvals}`).join(', ')}` : ''}.`, ['environments'], 'enforced'),
        envs.some(([, e]) => e.strategy) ? said('Deployment Strategies', envs.filter(([, e]) => e.strategy).map(([n, e]) => `${n}: ${strategyText(e.strategy!)}`).join('; ') + '.', ['environments.*.strategy'], 'enforced') : silent('Deployment Strategies'),
        envs.some(([, e]) => e.rollback) ? said('Rollback Process', envs.filter(([, e]) => e.rollback).map(([n, e]) => `${n}: ${cmd(e.rollback!)}${e.health ? ', run automatically when the health check fails' : ''}`).join('; ') + '.', ['environments.*.rollback', 'environments.*.health'], 'enforced') : silent('Rollback Process'),
        production && c.environments[production]
          ? said('Production Deployment', `${code(production)}${c.environments[production].health ? ' is checked by its health check after each deployment' : ' has no health check'}${c.environments[production].approvals > 0 ? `, needs ${plural(c.environments[production].approvals, 'approval')}` : ''}${freezes.length > 0 ? `, and is blocked in freeze windows (${freezes.join('; ')}) unless a break-glass reason is given` : ''}.`, ['metrics.production', 'environments'], 'enforced')
          : silent('Production Deployment'),
      ]
  const healthEnvs = envs.filter(([, e]) => e.health)
  const detection: Statement[] = [
    healthEnvs.length > 0 ? said('Monitoring & Alerting', `Deployments are health-checked in ${list(healthEnvs.map(([n]) => n))}; other monitoring is outside flow.yml.`, ['environments.*.health'], 'enforced') : silent('Monitoring & Alerting'),
    silent('On-call Process'),
    said('Severity Classification', severities.map(([n, s]) => `${code(n)}: ${s.summary}`).join('; ') + `; default ${code(c.incidents.default_severity ?? '')}. Choosing the severity is a person's call.`, ['incidents.severities'], 'manual'),
    c.incidents.notify.length > 0 ? said('Communication', `Every incident event runs ${list(c.incidents.notify.map(cmd))}.`, ['incidents.notify'], 'enforced') : silent('Communication'),
  ]
  const cadences = severities.filter(([, s]) => s.update_every)
  const resolution: Statement[] = [
    said('Response Team', `Roles: ${list(c.incidents.roles)}${severities.some(([, s]) => s.roles.length > 0) ? `; required per severity: ${severities.filter(([, s]) => s.roles.length > 0).map(([n, s]) => `${n}: ${s.roles.join(', ')}`).join('; ')}` : ''}. Assigned with \`flow incident role\`.`, ['incidents.roles'], 'manual'),
    services.some(([, s]) => s.runbook) ? said('Troubleshooting Process', `Runbooks: ${services.filter(([, s]) => s.runbook).map(([n, s]) => `${n}: ${s.runbook}`).join('; ')}.`, ['services.*.runbook'], 'manual') : silent('Troubleshooting Process'),
    cadences.length > 0 ? said('Communication Updates', `Status updates due every ${cadences.map(([n, s]) => `${s.update_every} for ${n}`).join(', ')}; \`flow incident show\` warns when one is overdue, people write them (\`flow incident update\`).`, ['incidents.severities.*.update_every'], 'manual') : silent('Communication Updates'),
    said('Documentation', 'Incidents, their timeline and notes are records on the flow/records branch (`flow incident note`).', ['incidents'], 'enforced'),
  ]
  const required = severities.filter(([, s]) => s.postmortem === 'required').map(([n]) => n)
  const post: Statement[] = [
    said('Root Cause Analysis', `Postmortems are required for ${list(required)}${c.incidents.postmortem.template ? ` (template ${code(c.incidents.postmortem.template)})` : ''}${c.incidents.postmortem.due ? `, due ${c.incidents.postmortem.due} after resolution` : ''}; the cause is linked explicitly with \`flow incident cause\`.`, ['incidents.severities.*.postmortem', 'incidents.postmortem'], 'enforced'),
    silent('Action Items'),
    silent('Knowledge Sharing'),
    silent('Process Improvement'),
  ]
  const types = Object.entries(c.changes.types)
  const change: Statement[] = [
    said('Change Request Process', `Types: ${types.map(([n, t]) => `${n}${t.description ? ` (${t.description})` : ''}`).join(', ')}, opened with \`flow change new --type TYPE\`${Object.keys(c.changes.templates).length > 0 ? `; templates chosen by match rules: ${list(Object.keys(c.changes.templates))}` : ''}.`, ['changes.types', 'changes.templates'], 'enforced'),
    said('Impact Assessment', `A risk score from changed files${c.changes.risk.sensitive.length > 0 ? `, sensitive paths ${list(c.changes.risk.sensitive.map(code))}` : ''}, missing tests and freeze windows; ${c.changes.risk.thresholds.map((t) => `score ${t.score}+ needs ${plural(t.approvals, 'approval')}`).join(', ')}.`, ['changes.risk'], 'enforced'),
    said('Change Approval', types.map(([n, t]) => `${n}: ${plural(t.approvals, 'approval')}${t.review_after ? ', reviewed after the fact' : ''}`).join('; ') + '.', ['changes.types'], 'enforced'),
    freezes.length > 0 ? said('Change Implementation', `Freeze windows: ${freezes.join('; ')}.`, ['changes.freeze', 'environments.*.freeze'], 'enforced') : silent('Change Implementation'),
  ]
  const secrets = hasGate('no-secrets')
  const security: Statement[] = [
    secrets.length > 0 ? said('Security Review Process', `The ${list(secrets.map(code))} gate fails on changed files that look like secrets.`, ['gates'], 'enforced') : silent('Security Review Process'),
    silent('Compliance Validation'),
    silent('Vulnerability Management'),
    c.review.reviewers === 'codeowners' || envs.some(([, e]) => e.reviewers.length > 0)
      ? said('Access Management', [c.review.reviewers === 'codeowners' ? 'Reviewers come from CODEOWNERS' : '', ...envs.filter(([, e]) => e.reviewers.length > 0).map(([n, e]) => `${n} approvals from ${list(e.reviewers)}`)].filter(Boolean).join('; ') + '.', ['review.reviewers', 'environments.*.reviewers'], 'enforced')
      : silent('Access Management'),
  ]
  const previews = envs.filter(([, e]) => e.preview)

  return [
    {level: 2, heading: 'Streamlined Development Workflows'},
    {level: 3, heading: 'Feature Development Process', numbered: [
      {title: 'Ideation & Planning', statements: silentAll('Process', 'Tools', 'Timeline', 'Stakeholders')},
      {title: 'Design & Architecture', statements: silentAll('Process', 'Documentation', 'Review Process', 'Timeline')},
      {title: 'Implementation', statements: [
        said('Development Workflow', `\`flow feature start NAME\` creates ${code(c.branches.feature)} from an up-to-date ${code(c.branches.strategy === 'git-flow' ? c.branches.develop : c.branches.main)}; \`flow feature submit\` opens the pull request on the ${c.forge.type ?? 'detected'} forge; \`flow feature finish\` merges.`, ['branches', 'forge.type'], 'enforced'),
        said('Collaboration', `Reviewers: ${c.review.reviewers === 'codeowners' ? 'from CODEOWNERS' : list(c.review.reviewers)}.`, ['review.reviewers'], 'enforced'),
        submit.length > 0 ? said('Quality Gates', `Before review: ${list(submit.map(code))}.`, ['stages.submit'], 'enforced') : silent('Quality Gates'),
        silent('Timeline'),
      ]},
      {title: 'Testing & Validation', statements: [
        gates.length > 0 ? said('Testing Strategy', `Gates: ${list(gates.map(([n]) => code(n)))}.`, ['gates'], 'enforced') : silent('Testing Strategy'),
        said('Automation', `Git hooks: ${list(c.hooks.install)}; CI workflow ${code(c.ci.path)} on Node ${c.ci.node}.`, ['hooks.install', 'ci'], 'enforced'),
        silent('Quality Assurance'),
        silent('Timeline'),
      ]},
      {title: 'Deployment & Release', statements: [
        envs.length > 0 ? said('Deployment Process', `${order.join(' → ')}, each with \`flow env deploy\` / \`flow env promote\`.`, ['environments'], 'enforced') : silent('Deployment Process'),
        said('Release Management', `Versions from conventional commits, tags ${code(c.release.tag)}${c.release.changelog ? `, changelog ${code(c.release.changelog)}` : ', no changelog'}, cut from ${list(c.release.branches)}${Object.keys(c.release.prerelease).length > 0 ? `; prereleases from ${Object.entries(c.release.prerelease).map(([b, id]) => `${b} (${id})`).join(', ')}` : ''} (\`flow release cut\`).`, ['release'], 'enforced'),
        healthEnvs.length > 0 ? said('Monitoring', `Health checks after each deployment to ${list(healthEnvs.map(([n]) => n))}.`, ['environments.*.health'], 'enforced') : silent('Monitoring'),
        silent('Timeline'),
      ]},
    ]},
    {level: 3, heading: 'Continuous Integration & Delivery'},
    {level: 4, heading: 'Source Control Workflow', statements: sourceControl},
    {level: 4, heading: 'Build & Test Pipeline', statements: buildTest},
    {level: 4, heading: 'Deployment Pipeline', statements: deployment},
    {level: 3, heading: 'Incident Response & Support'},
    {level: 4, heading: 'Incident Detection', statements: detection},
    {level: 4, heading: 'Incident Resolution', statements: resolution},
    {level: 4, heading: 'Post-Incident Process', statements: post},
    {level: 2, heading: 'Operational Processes'},
    {level: 3, heading: 'Platform Service Management', statements: [
      services.length > 0 ? said('Service Catalog', `${services.map(([n, s]) => `${n}${s.owner ? ` (owner ${s.owner})` : ''}`).join(', ')}; \`flow service list\` adds catalog-info.yaml components and CODEOWNERS.`, ['services'], 'enforced') : silent('Service Catalog'),
      silent('Service Onboarding'),
      services.some(([, s]) => s.slo) ? said('Service Level Management', services.filter(([, s]) => s.slo).map(([n, s]) => `${n}: ${s.slo!.target}% over ${s.slo!.window}`).join('; ') + ' (`flow slo status`).', ['services.*.slo'], 'enforced') : silent('Service Level Management'),
      silent('Capacity Management'),
    ]},
    {level: 3, heading: 'Change Management', statements: change},
    {level: 3, heading: 'Security & Compliance', statements: security},
    {level: 2, heading: 'Team Collaboration Processes'},
    {level: 3, heading: 'Cross-Team Coordination', statements: silentAll('Interface Management', 'API Governance', 'Shared Resource Management', 'Conflict Resolution')},
    {level: 3, heading: 'Knowledge Management', statements: [said('Documentation Standards', `This document, generated at ${code(c.docs.output)} from flow.yml.`, ['docs.output'], 'enforced'), ...silentAll('Knowledge Sharing', 'Training Programs', 'Community of Practice')]},
    {level: 3, heading: 'Performance Management', statements: [
      silent('Goal Setting'),
      said('Performance Tracking', `Team delivery metrics (DORA) with \`flow metrics dora\` over ${c.metrics.window}${production ? ` for ${code(production)}` : ''}; no per-person figures.${input.figures ? '\n\n' + input.figures : ''}`, ['metrics'], 'enforced'),
      silent('Feedback Process'),
      silent('Career Development'),
    ]},
    {level: 2, heading: 'Continuous Improvement Processes'},
    {level: 3, heading: 'Feedback Collection', statements: silentAll('Developer Surveys', 'Retrospectives', 'Usage Analytics', 'Stakeholder Feedback')},
    {level: 3, heading: 'Process Evolution', statements: [...silentAll('Improvement Identification', 'Experimentation', 'Adoption'), said('Measurement', `\`flow metrics dora\` and \`flow metrics incidents\` over ${c.metrics.window}.`, ['metrics.window'], 'enforced')]},
    {level: 3, heading: 'Innovation Process', statements: silentAll('Innovation Time', 'Proof of Concept', 'Technology Adoption', 'Knowledge Transfer')},
    {level: 2, heading: 'Process Automation & Tooling'},
    {level: 3, heading: 'Automated Workflows', statements: [
      said('Workflow Triggers', `Git hooks (${list(c.hooks.install)}) and CI (${code(c.ci.path)}).`, ['hooks.install', 'ci.path'], 'enforced'),
      types.some(([, t]) => t.approvals === 0) ? said('Approval Automation', `Change types without approval: ${list(types.filter(([, t]) => t.approvals === 0).map(([n]) => n))}.`, ['changes.types'], 'enforced') : silent('Approval Automation'),
      c.incidents.notify.length > 0 ? said('Notification Systems', `Incident events run ${list(c.incidents.notify.map(cmd))}.`, ['incidents.notify'], 'enforced') : silent('Notification Systems'),
      said('Integration Points', `Forge: ${c.forge.type ?? 'github when origin is on GitHub and a token is found, else local records'}.`, ['forge'], 'enforced'),
    ]},
    {level: 3, heading: 'Self-Service Capabilities', statements: [
      said('Developer Self-Service', `Branches, gates and releases without the platform team: \`flow feature\`, \`flow gates run\`, \`flow release cut\`${envs.length > 0 ? ', `flow env deploy`' : ''}.`, ['branches', 'gates', 'release'], 'enforced'),
      previews.length > 0 ? said('Environment Management', `Preview environments: ${previews.map(([n, e]) => `${n}${e.ttl ? ` (pruned after ${e.ttl} idle)` : ''}`).join(', ')} (\`flow env create --preview\`).`, ['environments.*.preview'], 'enforced') : silent('Environment Management'),
      silent('Resource Allocation'),
      said('Documentation Access', `${code(c.docs.output)}, regenerated with \`flow docs generate\`.`, ['docs.output'], 'enforced'),
    ]},
    {level: 3, heading: 'Tool Integration', statements: [
      silent('Single Sign-On'),
      said('Data Integration', 'Deployments, incidents and changes are records on the flow/records git branch, read by every flow command.', ['forge'], 'enforced'),
      silent('Workflow Integration'),
      silent('API-First'),
    ]},
  ]
}

function statementLine(s: Statement, indent: string): string {
  if (s.text === undefined) return `${indent}- **${s.label}**: _${SILENT}_`
  const tags = [s.how === 'enforced' ? 'enforced by flow' : s.how === 'manual' ? 'manual' : '', s.from ? `from ${s.from.map((f) => `\`${f}\``).join(', ')}${s.defaulted ? ' (flow\'s default)' : ''}` : ''].filter(Boolean)
  const [first, ...rest] = s.text.split('\n\n')
  return [`${indent}- **${s.label}**: ${first} _(${tags.join('; ')})_`, ...rest.map((r) => r.split('\n').map((l) => `${indent}  ${l}`).join('\n'))].join('\n\n')
}

/** The document as Markdown: deterministic (no date), so `--check` can compare it with the committed file. */
export function renderProcessDocument(input: ProcessInput): string {
  const lines = [
    `# ${input.name}: workflows and processes`,
    '',
    '> Generated by `flow docs generate` from flow.yml; edit flow.yml, not this file. "Enforced by flow" marks steps flow carries out and checks; "manual" marks steps people do. Each statement names the flow.yml keys it comes from.',
  ]
  for (const section of processSections(input)) {
    lines.push('', `${'#'.repeat(section.level)} ${section.heading}`)
    if (section.statements) lines.push('', ...section.statements.map((s) => statementLine(s, '')))
    if (section.numbered) {
      section.numbered.forEach((group, i) => {
        lines.push('', `${i + 1}. **${group.title}**`, ...group.statements.map((s) => statementLine(s, '   ')))
      })
    }
  }
  return `${lines.join('\n')}\n`
}
