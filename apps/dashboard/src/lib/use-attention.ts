import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { WorklistItem } from '@homeward/contracts';
import { announcement, attentionTitle, cueKey, isNewTopSeverity } from './attention';
import { BAND_NAMES } from './colours';

const SOUND_KEY = 'homeward.sound';

export interface Attention {
  /** The last announcement, for an aria-live region. */
  readonly announced: string;
  readonly soundOn: boolean;
  readonly setSoundOn: (on: boolean) => void;
  /** Feed every live alert event here. */
  readonly onAlert: (item: WorklistItem) => void;
}

/**
 * Cues for a nurse looking elsewhere: a new top-severity alert puts a count in the tab title
 * (until the tab is looked at again), plays a short tone if the nurse turned sound on, and every
 * new alert is announced to screen readers through a polite live region.
 */
export function useAttention(baseTitle: string): Attention {
  const cued = useRef(new Set<string>());
  const known = useRef(new Set<string>());
  const [unseen, setUnseen] = useState(0);
  const [announced, setAnnounced] = useState('');
  const [soundOn, setSound] = useState(() => localStorage.getItem(SOUND_KEY) === 'on');
  const soundRef = useRef(soundOn);

  useEffect(() => {
    document.title = attentionTitle(baseTitle, unseen);
  }, [baseTitle, unseen]);

  useEffect(() => {
    const seen = () => {
      if (document.visibilityState === 'visible' && document.hasFocus()) setUnseen(0);
    };
    addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    return () => {
      removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
      document.title = baseTitle;
    };
  }, [baseTitle]);

  const setSoundOn = useCallback((on: boolean) => {
    soundRef.current = on;
    setSound(on);
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
  }, []);

  const onAlert = useCallback((item: WorklistItem) => {
    if (item.alert.state === 'resolved') return;
    if (!known.current.has(item.alert.id)) {
      known.current.add(item.alert.id);
      setAnnounced(announcement(item, (band) => BAND_NAMES[band]));
    }
    if (!isNewTopSeverity(item, cued.current)) return;
    cued.current.add(cueKey(item.alert));
    if (item.alert.worsenedAt) setAnnounced(announcement(item, (band) => BAND_NAMES[band]));
    setUnseen((count) => count + 1);
    if (soundRef.current) playTone();
  }, []);

  return { announced, soundOn, setSoundOn, onAlert };
}

/** Two short tones (WebAudio, no file to fetch): distinct from a phone's notification sounds. */
function playTone(): void {
  try {
    const context = new AudioContext();
    [0, 0.25].forEach((offset, i) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = i === 0 ? 880 : 660;
      gain.gain.setValueAtTime(0.2, context.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + offset + 0.2);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(context.currentTime + offset);
      oscillator.stop(context.currentTime + offset + 0.2);
    });
    setTimeout(() => void context.close(), 1000);
  } catch {
    // No audio output (or blocked until the page is used): the title and announcement still cue.
  }
}
