// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.add("js");
