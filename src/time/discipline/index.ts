// Clock discipline, shared by the simulator's clocks, the sync algorithms and
// the live lab clock: the step-vs-slew policy and the disciplined clock model.
export * from './disciplined-clock'
export * from './policy'
