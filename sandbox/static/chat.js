// The sandbox's chat page: a small Webex client. It uses only the sandbox's /v1 API, with the
// signed-in person's own token, as a Webex client would:
//   send:   POST /v1/messages {roomId, text | markdown}, as the web client (X-Sandbox-Client: web)
//   read:   GET  /v1/messages?roomId=…  (polled; newest first, as on Webex)
//   button: POST /v1/attachment/actions {type: "submit", messageId, inputs}
// Cards are drawn by Microsoft's Adaptive Cards renderer (vendored) with a Webex-like host
// config, and at most version 1.3, the version Webex renders.
(() => {
  "use strict";

  const AC = window.AdaptiveCards;
  const CARD_TYPE = "application/vnd.microsoft.card.adaptive";
  const POLL_MS = 1000;
  const FONT = '"CiscoSansTT", "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif';

  // Readable on white: Webex's light theme colours, darkened where the default ones are too pale.
  const COLORS = {
    default: { default: "#121212", subtle: "#545454" },
    dark: { default: "#000000", subtle: "#3d3d3d" },
    light: { default: "#ffffff", subtle: "#f0f0f0" },
    accent: { default: "#0a78cc", subtle: "#075ea1" },
    good: { default: "#14813d", subtle: "#1d6b3a" },
    warning: { default: "#b35900", subtle: "#8a4500" },
    attention: { default: "#d4371c", subtle: "#a82c16" },
  };
  const style = (backgroundColor) => ({ backgroundColor, foregroundColors: COLORS });
  const HOST_CONFIG = new AC.HostConfig({
    fontFamily: FONT,
    supportsInteractivity: true,
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 28, padding: 16 },
    separator: { lineThickness: 1, lineColor: "#dedede" },
    fontTypes: {
      default: {
        fontFamily: FONT,
        fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
        fontWeights: { lighter: 300, default: 400, bolder: 600 },
      },
      monospace: {
        fontFamily: '"DejaVu Sans Mono", Consolas, monospace',
        fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
        fontWeights: { lighter: 300, default: 400, bolder: 600 },
      },
    },
    containerStyles: {
      default: style("#ffffff"),
      emphasis: style("#f7f7f7"),
      accent: style("#e6f2fb"),
      good: style("#e8f5ec"),
      warning: style("#fff4e0"),
      attention: style("#fcebe8"),
    },
    imageSizes: { small: 40, medium: 80, large: 160 },
    actions: {
      maxActions: 5,
      spacing: "default",
      buttonSpacing: 8,
      showCard: { actionMode: "inline", inlineTopMargin: 12 },
      actionsOrientation: "horizontal",
      actionAlignment: "left",
    },
    adaptiveCard: { allowCustomStyle: true },
    factSet: {
      title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 160 },
      value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
      spacing: 8,
    },
  });

  // Webex renders a subset of markdown in TextBlocks (bold, italic, links, lists, code) and
  // honours backslash escapes; the renderer leaves markdown to the host.
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdownToHtml(text);
    result.didProcess = true;
  };

  const $ = (selector) => document.querySelector(selector);
  const ui = {
    person: $("#person"), role: $("#role"), rooms: $("#rooms"), messages: $("#messages"),
    title: $("#space-title"), subtitle: $("#space-subtitle"), avatar: $("#space-avatar"),
    form: $("#composer"), text: $("#text"), status: $("#status"), examples: $("#examples"),
  };
  let config = null;
  let me = null;
  let room = null;
  let generation = 0; // bumped on every room switch, so answers for the old room are dropped
  let pollTimer = null;
  const shown = new Map(); // message id -> element

  // -- helpers ------------------------------------------------------------------------------

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function markdownToHtml(markdown) {
    const stash = [];
    const keep = (html) => `\u0000${stash.push(html) - 1}\u0000`;
    let s = String(markdown)
      .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, (_, c) => keep(escapeHtml(c)))
      .replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${escapeHtml(code)}</code>`));
    s = escapeHtml(s)
      .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_, label, url) =>
        /^(https?:|mailto:)/i.test(url) ? `<a href="${url}" target="_blank" rel="noopener">${label}</a>` : label)
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/__(.+?)__/g, "<strong>$1</strong>")
      .replace(/(^|[^\w*])\*(?!\s)(.+?)\*(?![\w*])/gm, "$1<em>$2</em>")
      .replace(/(^|[^\w])_(?!\s)(.+?)_(?!\w)/gm, "$1<em>$2</em>");
    const html = [];
    let list = null;
    for (const line of s.split("\n")) {
      const item = /^\s*(?:[-*+]|(\d+)\.)\s+(.*)$/.exec(line);
      const kind = item ? (item[1] ? "ol" : "ul") : null;
      if (list && kind !== list) { html.push(`</${list}>`); list = null; }
      if (kind && !list) { html.push(`<${kind}>`); list = kind; }
      html.push(kind ? `<li>${item[2]}</li>` : `${line}<br>`);
    }
    if (list) html.push(`</${list}>`);
    return html.join("").replace(/(<br>)+$/, "").replace(/\u0000(\d+)\u0000/g, (_, i) => stash[Number(i)]);
  }

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setStatus(text, isError = false) {
    ui.status.textContent = text;
    ui.status.classList.toggle("error", isError);
  }

  async function api(method, path, body, headers = {}) {
    const response = await fetch(`/v1/${path}`, {
      method,
      headers: { Authorization: `Bearer ${me.token}`, "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} /v1/${path.split("?")[0]} answered ${response.status}: ${json.message || ""}`);
    return json;
  }

  // -- people and rooms --------------------------------------------------------------------

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    return { person: params.get("person"), room: params.get("room") };
  }

  function signIn(email, roomType) {
    me = config.people.find((p) => p.email === email) || config.people[0];
    ui.person.value = me.email;
    ui.role.textContent = `${me.email} · ${me.role}`;
    ui.rooms.replaceChildren(...me.rooms.map((r) => {
      const button = el("button");
      button.type = "button";
      button.dataset.room = r.type;
      button.dataset.roomId = r.id;
      const avatar = el("span", `avatar small ${r.type === "direct" ? "bot" : "group"}`, initials(r.title));
      button.append(avatar, el("span", "", r.title));
      button.addEventListener("click", () => openRoom(r));
      const item = el("li");
      item.append(button);
      return item;
    }));
    openRoom(me.rooms.find((r) => r.type === roomType) || me.rooms[0]);
  }

  function openRoom(target) {
    room = target;
    generation += 1;
    shown.clear();
    ui.messages.replaceChildren(el("p", "empty", "No messages yet. Say hello to numbot."));
    for (const button of ui.rooms.querySelectorAll("button")) {
      button.classList.toggle("active", button.dataset.roomId === room.id);
    }
    const group = room.type === "group";
    ui.title.textContent = room.title;
    ui.subtitle.textContent = group
      ? `Group space · ${config.bot.displayName} hears only its mentions: type @${firstWord(config.bot.displayName)} ` +
        "anywhere in your message, or the page mentions it first"
      : `1:1 space with the bot ${config.bot.displayName}`;
    ui.avatar.className = `avatar ${group ? "group" : "bot"}`;
    ui.avatar.textContent = initials(room.title);
    ui.text.placeholder = `Write a message to ${room.title}`;
    history.replaceState(null, "", `#person=${encodeURIComponent(me.email)}&room=${room.type}`);
    setStatus("");
    poll();
  }

  // -- reading messages ----------------------------------------------------------------------

  async function poll() {
    clearTimeout(pollTimer);
    const asked = generation;
    try {
      const page = await api("GET", `messages?roomId=${encodeURIComponent(room.id)}&max=100`);
      if (asked !== generation) return;
      const fresh = page.items.filter((m) => !shown.has(m.id)).reverse(); // oldest first
      for (const message of fresh) showMessage(message);
      if (fresh.length) ui.messages.scrollTop = ui.messages.scrollHeight;
    } catch (error) {
      if (asked === generation) setStatus(error.message, true);
    }
    if (asked === generation) pollTimer = setTimeout(poll, POLL_MS);
  }

  function showMessage(message) {
    ui.messages.querySelector(".empty")?.remove();
    const fromBot = message.personId === config.bot.id;
    const name = config.everyone[message.personId] || message.personEmail;
    const node = el("article", `message${fromBot ? " from-bot" : ""}${message.parentId ? " reply" : ""}`);
    node.dataset.messageId = message.id;
    node.dataset.thread = message.parentId || message.id;
    const body = el("div", "message-body");
    const meta = el("div", "message-meta");
    const time = new Date(message.created).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    meta.append(el("strong", "", name), document.createTextNode(time));
    body.append(meta);
    const card = (message.attachments || []).find((a) => a.contentType === CARD_TYPE);
    if (card) {
      body.append(renderCard(card.content, message));
      body.append(fallback(message));
    } else if (fromBot && message.markdown) {
      const text = el("div", "message-text");
      text.innerHTML = markdownToHtml(message.markdown);
      body.append(text);
    } else {
      body.append(personText(message));
    }
    node.append(el("div", `avatar${fromBot ? " bot" : ""}`, initials(name)), body);
    // Webex shows a reply under its thread, not at the bottom of the space.
    const thread = message.parentId && [...ui.messages.querySelectorAll(".message")]
      .filter((m) => m.dataset.thread === message.parentId).pop();
    if (thread) thread.after(node); else ui.messages.append(node);
    shown.set(message.id, node);
  }

  // A person's message: Webex's html with mentions highlighted, everything else as text. Clients
  // write that html differently (desktop apps wrap it in <p>, the web and iPhone clients do not).
  function personText(message) {
    const text = el("div", "message-text");
    if (!message.html) {
      text.textContent = message.text;
      return text;
    }
    const walk = (parent) => {
      for (const part of parent.childNodes) {
        if (part.nodeName.toLowerCase() === "spark-mention") text.append(el("span", "mention", part.textContent));
        else if (part.nodeType === Node.ELEMENT_NODE) walk(part);
        else text.append(document.createTextNode(part.textContent));
      }
    };
    walk(new DOMParser().parseFromString(message.html, "text/html").body);
    return text;
  }

  function fallback(message) {
    const details = el("details", "fallback");
    details.append(el("summary", "", "Text fallback (what clients without cards show)"),
      el("pre", "", message.markdown || message.text || ""));
    return details;
  }

  // -- cards ---------------------------------------------------------------------------------

  function renderCard(content, message) {
    const holder = el("div", "card");
    const card = new AC.AdaptiveCard();
    card.hostConfig = HOST_CONFIG;
    card.maxVersion = AC.Versions.v1_3; // Webex renders Adaptive Cards up to 1.3
    card.onExecuteAction = (action) => onAction(action, card, message);
    const context = new AC.SerializationContext(AC.Versions.v1_3);
    const problems = [];
    try {
      card.parse(content, context);
      for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
      for (const event of card.validateProperties().validationEvents) problems.push(event.message);
      const rendered = card.render();
      if (rendered) holder.append(rendered); else problems.push("the renderer produced nothing");
    } catch (error) {
      problems.push(`the renderer failed: ${error.message}`);
    }
    holder.dataset.rendered = problems.length ? "with-problems" : "true";
    if (problems.length) {
      const list = el("ul", "card-problems");
      for (const problem of problems) list.append(el("li", "", problem));
      holder.append(list);
    }
    return holder;
  }

  // What a Webex client sends for Action.Submit: the action's data merged with the value of every
  // input of the card (inputs win; an empty input is sent as "").
  function submittedInputs(action, card) {
    const inputs = action.data && typeof action.data === "object" ? { ...action.data } : {};
    for (const input of card.getAllInputs()) {
      if (input.id) inputs[input.id] = input.isSet() ? String(input.value) : "";
    }
    return inputs;
  }

  async function onAction(action, card, message) {
    if (action instanceof AC.OpenUrlAction) {
      window.open(action.url, "_blank", "noopener");
      return;
    }
    if (!(action instanceof AC.SubmitAction)) return;
    const title = action.title || "button";
    setStatus(`Pressed “${title}”…`);
    try {
      await api("POST", "attachment/actions", { type: "submit", messageId: message.id, inputs: submittedInputs(action, card) });
      setStatus(`Pressed “${title}”`);
      poll();
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  // -- sending -------------------------------------------------------------------------------

  function firstWord(name) {
    return name.trim().split(/\s+/)[0];
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // In a group space a bot only hears messages that @mention it. As in a Webex client, "@" and
  // the bot's name or its first word, anywhere in the message (any case), becomes the mention,
  // shown as typed; with no such mention the page puts the full-name mention first.
  function withBotMention(text) {
    const { id, displayName } = config.bot;
    const names = [...new Set([displayName, firstWord(displayName)])].sort((a, b) => b.length - a.length);
    const typed = new RegExp(`(?<![\\w@])@(${names.map(escapeRegExp).join("|")})(?![\\w])`, "gi");
    let found = false;
    const marked = text.replace(typed, (_, shown) => {
      found = true;
      return `<@personId:${id}|${shown}>`;
    });
    return found ? marked : `<@personId:${id}|${displayName}> ${text}`;
  }

  async function send(text) {
    const body = { roomId: room.id };
    if (room.type === "group") body.markdown = withBotMention(text);
    else body.text = text;
    setStatus("Sending…");
    try {
      await api("POST", "messages", body, { "X-Sandbox-Client": "web" });
      setStatus("");
      poll();
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.text.value.trim();
    if (!text) return;
    ui.text.value = "";
    send(text);
  });
  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
  ui.examples.addEventListener("click", (event) => {
    const text = event.target.dataset?.text;
    if (!text) return;
    ui.text.value = text;
    ui.text.focus();
  });
  ui.person.addEventListener("change", () => signIn(ui.person.value, room?.type));

  async function start() {
    const response = await fetch("/_sandbox/chat");
    config = await response.json();
    for (const person of config.people) {
      const option = el("option", "", person.displayName);
      option.value = person.email;
      ui.person.append(option);
    }
    const wanted = readHash();
    signIn(wanted.person || config.people[0].email, wanted.room || "direct");
    document.body.dataset.ready = "true";
  }

  start().catch((error) => setStatus(`The sandbox did not answer: ${error.message}`, true));
})();
