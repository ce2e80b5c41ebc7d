// The organiser's token: in sessionStorage, so that it goes with the tab.
const TOKEN = 'tickets.admin.token';

export const adminToken = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (token: string) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};
