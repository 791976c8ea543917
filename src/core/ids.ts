import {randomBytes} from 'node:crypto'
import type {Clock, Ids} from './ports.js'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** Makes ULIDs that sort by time and stay monotonic within one millisecond. */
export function ulidFactory(clock: Clock, random: (n: number) => Uint8Array = (n) => randomBytes(n)): Ids {
  let lastTime = -1
  let lastRandom: number[] = []
  return {
    ulid() {
      const time = clock.now().getTime()
      let rand: number[]
      if (time <= lastTime) {
        rand = [...lastRandom]
        let i = rand.length - 1
        while (i >= 0 && rand[i] === 31) rand[i--] = 0
        if (i >= 0) rand[i]!++
        // 80 random bits exhausted within one millisecond: borrow the next millisecond.
        else lastTime++
      } else {
        rand = [...random(16)].map((b) => b % 32)
        lastTime = time
      }
      lastRandom = rand
      let t = lastTime
      const timeChars: string[] = []
      for (let i = 0; i < 10; i++) {
        timeChars.unshift(ALPHABET[t % 32]!)
        t = Math.floor(t / 32)
      }
      return timeChars.join('') + rand.map((r) => ALPHABET[r]).join('')
    },
  }
}

/** The wall clock. */
export const systemClock: Clock = {now: () => new Date()}
