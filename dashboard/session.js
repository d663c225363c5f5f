// Who is logged in, and what each role may see (docs/api-contract.md#roles; admin may do everything).
// The server refuses the rest anyway: hiding is for a calm screen, not for security.
const state = { me: null };

export const me = () => state.me;
export const setMe = (operator) => {
  state.me = operator;
};

export const can = {
  alarms: (r) => ['operator', 'supervisor', 'admin'].includes(r),
  editRegisters: (r) => ['operator', 'supervisor', 'admin'].includes(r),
  deleteRegisters: (r) => ['supervisor', 'admin'].includes(r),
  panels: (r) => ['operator', 'supervisor', 'admin'].includes(r),
  createPanels: (r) => ['supervisor', 'admin'].includes(r),
  messages: (r) => ['operator', 'supervisor', 'admin'].includes(r),
  privacy: (r) => ['dpo', 'admin'].includes(r),
  revealNationalId: (r) => ['supervisor', 'dpo', 'admin'].includes(r),
  escalationSettings: (r) => ['supervisor', 'admin'].includes(r),
  operators: (r) => r === 'admin',
};
