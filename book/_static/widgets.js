/*
 * Set up the Jupyter widgets HTML manager that renders the widget snapshots of the book.
 * Loaded between require.js and the manager's embed-amd.js (nb_ipywidgets_js in
 * _config.yml), on the pages that have widgets.
 */
(function () {
  "use strict";

  // The manager loads its icon fonts from the folder that RequireJS maps its module
  // names to, by default a folder of that name beside the page, which does not exist.
  // Map them to _static/html-manager/, beside the _static/ folder of this file.
  var staticFolder = document.currentScript.src.replace(/[^/]*$/, "");
  window.require.config({
    paths: {"@jupyter-widgets/html-manager/dist": staticFolder + "html-manager"},
  });

  // ipywidgets typesets widget descriptions with MathJax 2's MathJax.Hub.Queue, which
  // MathJax 3 no longer has (jupyter-widgets/ipywidgets#3829): give it that one call.
  // MathJax is loaded deferred, so it is in place when the document has been parsed.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function (command) {
        var element = command[2];
        mathjax.startup.promise = mathjax.startup.promise.then(function () {
          return mathjax.typesetPromise([element]);
        });
      },
    };
  });
})();
