/** Slotted time: helpers shared by the engine, the checker and the messages people read. */

/** Whether an instance of period P, duration D, phase φ is active in slot t (the definition). */
export function isActive(t: number, every: number, duration: number, phase: number): boolean {
  return (((t - phase) % every) + every) % every < duration;
}

/** 725 → "12:05", 3725 → "1:02:05": a position in the horizon, as a clock a person reads. */
export function formatSlot(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 300 → "5 m", 90 → "90 s", 7200 → "2 h". */
export function formatPeriod(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} m`;
  return `${seconds} s`;
}
