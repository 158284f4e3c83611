// The sandbox's chat page: a small Webex client. It uses only the sandbox's /v1 API, with the
// signed-in person's own token, as a Webex client would:
//   send:   POST /v1/messages {roomId, text | markdown}, as the web client (X-Sandbox-Client: web);
//           with a file, the same fields and one "files" part as multipart/form-data
//   read:   GET  /v1/messages?roomId=…  (polled; newest first, as on Webex; a message whose
//           "updated" changed is drawn again, marked "edited")
//   files:  HEAD /v1/contents/{id} for the name (Content-Disposition) and size (Content-Length),
//           GET to download it (423 while Webex scans it for malware, 428 when it cannot be
//           scanned: then ?allow=unscannable), as developer.webex.com's Message Attachments says
//   button: POST /v1/attachment/actions {type: "submit", messageId, inputs}
// Cards are drawn by Microsoft's Adaptive Cards renderer (vendored) with a Webex-like host
// config, and at most version 1.3, the version Webex renders.
(() => {
  "use strict";

  const AC = window.AdaptiveCards;
  const CARD_TYPE = "application/vnd.microsoft.card.adaptive";
  const POLL_MS = 1000;
  const FILE_ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" d="M6 2.5h8l4.5 4.5v14.5H6z M14 2.5V7h4.5"/></svg>';
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
    composer: $(".composer"), attach: $("#attach"), file: $("#file"), attachment: $("#attachment"),
    attachmentName: $("#attachment-name"), attachmentSize: $("#attachment-size"),
    attachmentRemove: $("#attachment-remove"),
  };
  let config = null;
  let me = null;
  let room = null;
  let generation = 0; // bumped on every room switch, so answers for the old room are dropped
  let pollTimer = null;
  const shown = new Map(); // message id -> element
  let pending = null; // the File to send with the next message

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

  // A FormData body goes as multipart/form-data (the browser writes its Content-Type and boundary).
  async function api(method, path, body, headers = {}) {
    const form = body instanceof FormData;
    const response = await fetch(`/v1/${path}`, {
      method,
      headers: { Authorization: `Bearer ${me.token}`, ...(form ? {} : { "Content-Type": "application/json" }), ...headers },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
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
      for (const message of page.items) {
        const node = shown.get(message.id);
        if (node && node.dataset.updated !== (message.updated || "")) redrawMessage(message);
      }
      if (fresh.length) ui.messages.scrollTop = ui.messages.scrollHeight;
    } catch (error) {
      if (asked === generation) setStatus(error.message, true);
    }
    if (asked === generation) pollTimer = setTimeout(poll, POLL_MS);
  }

  function showMessage(message) {
    ui.messages.querySelector(".empty")?.remove();
    const node = messageNode(message);
    // Webex shows a reply under its thread, not at the bottom of the space.
    const thread = message.parentId && [...ui.messages.querySelectorAll(".message")]
      .filter((m) => m.dataset.thread === message.parentId).pop();
    if (thread) thread.after(node); else ui.messages.append(node);
    shown.set(message.id, node);
  }

  // An edited message (its "updated" changed) is drawn again in its place, as Webex clients do.
  function redrawMessage(message) {
    const node = messageNode(message);
    shown.get(message.id).replaceWith(node);
    shown.set(message.id, node);
  }

  function messageNode(message) {
    const fromBot = message.personId === config.bot.id;
    const name = config.everyone[message.personId] || message.personEmail;
    const node = el("article", `message${fromBot ? " from-bot" : ""}${message.parentId ? " reply" : ""}`);
    node.dataset.messageId = message.id;
    node.dataset.thread = message.parentId || message.id;
    node.dataset.updated = message.updated || "";
    const body = el("div", "message-body");
    const meta = el("div", "message-meta");
    const time = new Date(message.created).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    meta.append(el("strong", "", name), document.createTextNode(time));
    if (message.updated) {
      const edited = el("span", "edited", "edited");
      edited.title = `Edited ${new Date(message.updated).toLocaleString()}`;
      meta.append(edited);
    }
    body.append(meta);
    const card = (message.attachments || []).find((a) => a.contentType === CARD_TYPE);
    if (card) {
      body.append(renderCard(card.content, message));
      body.append(fallback(message));
    } else if (fromBot && message.markdown) {
      const text = el("div", "message-text");
      text.innerHTML = markdownToHtml(message.markdown);
      body.append(text);
    } else if (message.text || message.html || !(message.files || []).length) {
      body.append(personText(message));
    }
    if ((message.files || []).length) body.append(fileList(message.files));
    node.append(el("div", `avatar${fromBot ? " bot" : ""}`, initials(name)), body);
    return node;
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

  // -- files ---------------------------------------------------------------------------------

  function formatSize(bytes) {
    if (!Number.isFinite(bytes)) return "";
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KB", "MB", "GB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
  }

  // The name in Content-Disposition: RFC 6266's filename* (UTF-8) first, else filename.
  function filenameFrom(disposition) {
    const header = disposition || "";
    const star = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
    if (star) {
      try { return decodeURIComponent(star[1]); } catch (error) { /* fall back to filename */ }
    }
    const quoted = /filename\s*=\s*"((?:\\.|[^"\\])*)"/i.exec(header);
    if (quoted) return quoted[1].replace(/\\(.)/g, "$1");
    const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
    return bare ? bare[1] : null;
  }

  // A file URL is the sandbox's absolute …/v1/contents/{id}: fetch its path on this page's own
  // origin, whatever host name the page was opened with.
  function contentPath(url, allowUnscannable) {
    const parsed = new URL(url, location.href);
    return parsed.pathname + (allowUnscannable ? "?allow=unscannable" : parsed.search);
  }

  function fileList(urls) {
    const list = el("div", "files");
    for (const url of urls) {
      const button = el("button", "file");
      button.type = "button";
      button.dataset.url = url;
      const icon = el("span", "file-icon");
      icon.innerHTML = FILE_ICON;
      button.append(icon, el("span", "file-name", "Attachment"), el("span", "file-size", ""));
      button.addEventListener("click", () => download(button));
      list.append(button);
      describeFile(button, generation);
    }
    return list;
  }

  function labelFile(button, name, detail, state) {
    button.querySelector(".file-name").textContent = name;
    button.querySelector(".file-size").textContent = detail;
    button.dataset.state = state;
  }

  // HEAD gives the name and size without the file; while Webex scans the file (423), ask again
  // after Retry-After.
  async function describeFile(button, asked) {
    let response;
    try {
      response = await fetch(contentPath(button.dataset.url), { method: "HEAD", headers: { Authorization: `Bearer ${me.token}` } });
    } catch (error) {
      labelFile(button, "Attachment", "unreachable", "error");
      return;
    }
    if (asked !== generation) return;
    if (response.status === 423) {
      labelFile(button, "Attachment", "scanning for malware…", "scanning");
      const seconds = Number(response.headers.get("Retry-After")) || 1;
      setTimeout(() => { if (button.isConnected) describeFile(button, asked); }, seconds * 1000);
      return;
    }
    if (response.status === 428) {
      labelFile(button, "Attachment", "cannot be scanned for malware: download anyway", "unscannable");
      return;
    }
    if (!response.ok) {
      labelFile(button, "Attachment", `HEAD answered ${response.status}`, "error");
      return;
    }
    const name = filenameFrom(response.headers.get("Content-Disposition")) || "Attachment";
    labelFile(button, name, formatSize(Number(response.headers.get("Content-Length"))), "ready");
    button.title = `Download ${name}`;
  }

  // GET with the person's token (a plain link could not send it), then a download of the blob
  // under the name Content-Disposition gives.
  async function download(button) {
    const unscannable = button.dataset.state === "unscannable";
    setStatus("Downloading…");
    try {
      const response = await fetch(contentPath(button.dataset.url, unscannable), { headers: { Authorization: `Bearer ${me.token}` } });
      if (response.status === 423) {
        setStatus(`The file is being scanned for malware: try again in ${response.headers.get("Retry-After") || 1} s.`, true);
        return;
      }
      if (response.status === 428) {
        labelFile(button, "Attachment", "cannot be scanned for malware: download anyway", "unscannable");
        setStatus("The file cannot be scanned for malware: press it again to download it anyway.", true);
        return;
      }
      if (!response.ok) {
        const json = await response.json().catch(() => ({}));
        throw new Error(`GET ${contentPath(button.dataset.url)} answered ${response.status}: ${json.message || ""}`);
      }
      const blob = await response.blob();
      const name = filenameFrom(response.headers.get("Content-Disposition")) || "download";
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 30_000);
      setStatus(`Downloaded ${name}`);
    } catch (error) {
      setStatus(error.message, true);
    }
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
    if (found) return marked;
    return text ? `<@personId:${id}|${displayName}> ${text}` : `<@personId:${id}|${displayName}>`;
  }

  // With a file: multipart/form-data, the text fields and one "files" part, as Webex's Message
  // Attachments guide posts a local file (text is optional then).
  async function send(text, file) {
    const fields = { roomId: room.id };
    if (room.type === "group") fields.markdown = withBotMention(text);
    else if (text) fields.text = text;
    let body = fields;
    if (file) {
      body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      body.append("files", file, file.name);
    }
    setStatus(file ? `Sending ${file.name}…` : "Sending…");
    try {
      await api("POST", "messages", body, { "X-Sandbox-Client": "web" });
      setStatus("");
      poll();
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  function attach(file) {
    pending = file || null;
    ui.attachment.hidden = !pending;
    ui.attachmentName.textContent = pending ? pending.name : "";
    ui.attachmentSize.textContent = pending ? formatSize(pending.size) : "";
    ui.file.value = "";
    if (pending) ui.text.focus();
  }

  ui.attach.addEventListener("click", () => ui.file.click());
  ui.file.addEventListener("change", () => attach(ui.file.files[0]));
  ui.attachmentRemove.addEventListener("click", () => attach(null));
  // Drop a file anywhere on the composer.
  ui.composer.addEventListener("dragover", (event) => {
    if (![...(event.dataTransfer?.types || [])].includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    ui.composer.classList.add("dragging");
  });
  ui.composer.addEventListener("dragleave", (event) => {
    if (!ui.composer.contains(event.relatedTarget)) ui.composer.classList.remove("dragging");
  });
  ui.composer.addEventListener("drop", (event) => {
    const files = event.dataTransfer?.files;
    ui.composer.classList.remove("dragging");
    if (!files || !files.length) return;
    event.preventDefault();
    attach(files[0]);
    if (files.length > 1) setStatus(`Webex takes one file per message: ${files[0].name} is attached.`, true);
  });

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.text.value.trim();
    const file = pending;
    if (!text && !file) return;
    ui.text.value = "";
    attach(null);
    send(text, file);
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
  ui.person.addEventListener("change", () => {
    attach(null);
    signIn(ui.person.value, room?.type);
  });

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
