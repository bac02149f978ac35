// The failure-detection checkers: completeness (crashed processes are
// suspected) and accuracy (live ones are not, within the detector's assumptions).
// They apply to the detectors and to the elections that embed one.
import type { CheckerSpec } from '../checker'
import { detectorAccuracyChecker } from './detector-accuracy'
import { detectorCompletenessChecker } from './detector-completeness'

export const detectCheckers: readonly CheckerSpec[] = [
  detectorCompletenessChecker,
  detectorAccuracyChecker,
]
