// Suggestions as you type: each input with data-suggest is an ARIA 1.2 combobox over
// /api/suggest (its listbox is aria-controls). Comfort only: without JavaScript the box is a
// plain search field. Suggestions are set as text (textContent), never as markup.

const DELAY_MS = 120; // one request per pause in typing, not one per key

for (const input of document.querySelectorAll("input[data-suggest]")) {
  combobox(input);
}

function combobox(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let items = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function show(suggestions) {
    close();
    items = suggestions;
    suggestions.forEach((s, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const text = document.createElement("span");
      text.textContent = s.text;
      const count = document.createElement("span");
      count.className = "suggest-count";
      count.textContent = `${s.count} 篇`;
      option.append(text, count);
      // mousedown, not click: the input keeps the focus
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(i);
      });
      list.append(option);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function move(step) {
    if (!items.length) {
      return;
    }
    active = (active + step + items.length) % items.length;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
  }

  function choose(i) {
    const { text, kind } = items[i];
    close();
    if (kind === "agency") {
      // an agency's documents are those it published: its filter, not its name as words
      window.location.assign(`${input.form.action}?agency=${encodeURIComponent(text)}`);
      return;
    }
    input.value = text;
    input.form.requestSubmit();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      close();
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const response = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(q)}`);
        if (response.ok && mine === asked) {
          show((await response.json()).suggestions);
        }
      } catch {
        close(); // offline or the server is restarting: the box still searches
      }
    }, DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (items.length) {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      }
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && items.length) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", close);
}
