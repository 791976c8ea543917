import {describe, expect, test} from 'vitest'
import type {RecordEvent} from '../ports.js'
import {branchSlug, fillPreview, foldPreview, previewUrl, stalePreviews, withPreviewLine} from './preview.js'

let seq = 0
const event = (type: string, at: string, data: Record<string, unknown> = {}): RecordEvent => ({id: `01J${String(seq++).padStart(10, '0')}`, type, at, data} as RecordEvent)

describe('preview environments', () => {
  test('branch slugs are DNS- and path-safe', () => {
    expect(branchSlug('feature/Login_2')).toBe('feature-login-2')
    expect(branchSlug('--x--')).toBe('x')
    expect(branchSlug('///')).toBe('branch')
    expect(branchSlug(`feature/${'a'.repeat(80)}`).length).toBeLessThanOrEqual(48)
  })

  test('URL patterns: values encoded, undefined while {number} is unknown', () => {
    expect(previewUrl('https://{slug}.preview.example.com/{branch}', {branch: 'feature/a b', slug: 'feature-a-b'})).toBe('https://feature-a-b.preview.example.com/feature%2Fa%20b')
    expect(previewUrl('https://pr-{number}.example.com', {branch: 'x', slug: 'x'})).toBeUndefined()
    expect(previewUrl('https://pr-{number}.example.com', {branch: 'x', slug: 'x', number: 7})).toBe('https://pr-7.example.com')
    expect(fillPreview('{branch} {unknown}', {branch: 'a;b', slug: 'a-b'})).toBe('a;b {unknown}')
  })

  test('the pull request body gets one preview line, replaced on re-submit', () => {
    const once = withPreviewLine('Intro\n\n<!-- flow:commits -->', 'https://a.example.com')
    expect(once).toBe('Intro\n\n<!-- flow:commits -->\n\n<!-- flow:preview --> Preview: https://a.example.com\n')
    const twice = withPreviewLine(once, 'https://b.example.com')
    expect(twice.match(/Preview:/g)).toHaveLength(1)
    expect(twice).toContain('https://b.example.com')
    expect(withPreviewLine('', 'u')).toBe('<!-- flow:preview --> Preview: u\n')
  })

  test('a preview folds from created, deployed, destroy_failed and destroyed; prune always retries failed destroys', () => {
    const events = [
      event('created', '2026-01-01T00:00:00Z', {branch: 'f/a', slug: 'f-a', template: 'review', environment: 'review-f-a', url: 'u'}),
      event('deployed', '2026-01-01T00:01:00Z', {deployment: 'DEP-1', outcome: 'success'}),
      event('destroy_failed', '2026-01-02T00:00:00Z', {reason: 'boom'}),
    ]
    const view = foldPreview('PV-f-a', events)!
    expect(view).toMatchObject({branch: 'f/a', state: 'destroy_failed', destroyAttempts: 1, error: 'boom', deployment: 'DEP-1', outcome: 'success', updatedAt: '2026-01-02T00:00:00Z'})
    const now = Date.parse('2026-01-02T00:00:10Z')
    expect(stalePreviews([view], now, 86_400_000 * 30, () => undefined)).toEqual([view])
    const gone = foldPreview('PV-f-a', [...events, event('destroyed', '2026-01-03T00:00:00Z')])!
    expect(gone.state).toBe('destroyed')
    expect(stalePreviews([gone], now, 0, () => undefined)).toEqual([])
    const live = foldPreview('PV-f-a', events.slice(0, 2))!
    expect(stalePreviews([live], now, undefined, () => undefined)).toEqual([])
    expect(stalePreviews([live], now, undefined, () => 3_600_000)).toEqual([live])
    expect(stalePreviews([live], now, 2 * 86_400_000, () => 3_600_000)).toEqual([])
    // Created again after it was destroyed: a new lifecycle.
    const again = foldPreview('PV-f-a', [...events, event('destroyed', '2026-01-03T00:00:00Z'), event('created', '2026-01-04T00:00:00Z', {branch: 'f/a', slug: 'f-a', template: 'review', environment: 'review-f-a'})])!
    expect(again).toMatchObject({state: 'live', destroyAttempts: 0, createdAt: '2026-01-04T00:00:00Z'})
  })
})
