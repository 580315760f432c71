// The preview's page reloads itself when the server has built a newer version of the paper.
(() => {
  const script = document.currentScript;
  const shown = script.dataset.version;
  const events = new EventSource(script.dataset.events);
  events.addEventListener("version", (event) => {
    if (event.data !== shown) {
      events.close();
      window.location.reload();
    }
  });
})();
