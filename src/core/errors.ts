// Errors caused by what a user gave us (a flag, a scenario, a file), as opposed
// to bugs: shells print their message on one line and exit with code 2.
export class InputError extends Error {
  override readonly name = 'InputError'
}
