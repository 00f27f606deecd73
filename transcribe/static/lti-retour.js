// The Deep Linking answer goes back to Moodle by itself (the page's button does it without JavaScript).
"use strict";
document.getElementById("retour-moodle").submit();
