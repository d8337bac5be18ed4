//go:build race

package corpus

// raceDetector: the race detector's sync.Pool drops pooled objects at
// random, so regexp's pooled backtracking state is allocated again on
// most calls and allocation counts say nothing about the parser.
const raceDetector = true
