"""A before/after image with a draggable split line, in ~40 lines of HTML/JS.

Both images are JPEG previews embedded as data URIs, so nothing is fetched
from the network (streamlit-image-comparison loads from a CDN and breaks
offline). Rendered with ``st.iframe`` of an HTML string.
"""
from __future__ import annotations

import base64

import streamlit as st

__all__ = ["before_after", "before_after_html"]

_TEMPLATE = """<!doctype html><html><head><meta charset="utf-8"><style>
html,body{margin:0;padding:0;font-family:sans-serif;}
#ba{position:relative;aspect-ratio:__ASPECT__;width:min(100%, calc(100vh * __ASPECT__));
    max-height:100vh;margin:0 auto;user-select:none;touch-action:none;cursor:ew-resize;overflow:hidden;}
#ba img{position:absolute;top:0;left:0;width:100%;height:100%;display:block;pointer-events:none;
        object-fit:fill;}
#after{clip-path:inset(0 0 0 50%);}
#bar{position:absolute;top:0;bottom:0;left:50%;width:3px;margin-left:-1px;background:#fff;
     box-shadow:0 0 3px #000;}
#knob{position:absolute;top:50%;left:50%;width:26px;height:26px;margin:-13px 0 0 -13px;
      border-radius:50%;background:#2f6fdb;border:2px solid #fff;}
.tag{position:absolute;top:6px;padding:2px 6px;background:rgba(0,0,0,.55);color:#fff;
     font-size:12px;border-radius:3px;}
</style></head><body>
<div id="ba" role="slider" tabindex="0" aria-label="Split between before and after"
     aria-valuemin="0" aria-valuemax="100" aria-valuenow="50">
  <img id="before" src="data:image/jpeg;base64,__BEFORE__" alt="before">
  <img id="after" src="data:image/jpeg;base64,__AFTER__" alt="after">
  <div id="bar"></div><div id="knob"></div>
  <span class="tag" style="left:6px">__LBEFORE__</span>
  <span class="tag" style="right:6px">__LAFTER__</span>
</div>
<script>
const box=document.getElementById('ba'),after=document.getElementById('after'),
      bar=document.getElementById('bar'),knob=document.getElementById('knob');
let dragging=false;
function setSplit(pct){pct=Math.max(0,Math.min(100,pct));
  after.style.clipPath='inset(0 0 0 '+pct+'%)';bar.style.left=pct+'%';knob.style.left=pct+'%';
  box.setAttribute('aria-valuenow',Math.round(pct));}
function fromEvent(e){const r=box.getBoundingClientRect();setSplit(100*(e.clientX-r.left)/r.width);}
box.addEventListener('pointerdown',e=>{dragging=true;box.setPointerCapture(e.pointerId);fromEvent(e);});
box.addEventListener('pointermove',e=>{if(dragging)fromEvent(e);});
box.addEventListener('pointerup',()=>{dragging=false;});
box.addEventListener('keydown',e=>{const v=+box.getAttribute('aria-valuenow');
  if(e.key==='ArrowLeft')setSplit(v-5);if(e.key==='ArrowRight')setSplit(v+5);});
</script></body></html>"""


def before_after_html(before_jpeg: bytes, after_jpeg: bytes, width: int, height: int,
                      labels=("Before", "After")) -> str:
    """The component's HTML: two JPEGs of the same ``width`` x ``height``.

    The box has exactly the images' aspect ratio (as tall as the frame, or narrower when
    the column is), and both images fill it exactly, so they align pixel for pixel at
    any split and any width.
    """
    return (_TEMPLATE.replace("__BEFORE__", base64.b64encode(before_jpeg).decode())
            .replace("__AFTER__", base64.b64encode(after_jpeg).decode())
            .replace("__ASPECT__", f"{int(width)} / {max(1, int(height))}")
            .replace("__LBEFORE__", labels[0]).replace("__LAFTER__", labels[1]))


def _same_size(before_jpeg: bytes, after_jpeg: bytes) -> bytes:
    """``after_jpeg``, resized to the pixel size of ``before_jpeg`` if it differs."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(before_jpeg)) as before, Image.open(io.BytesIO(after_jpeg)) as after:
        if before.size == after.size:
            return after_jpeg
        out = io.BytesIO()
        after.convert(before.mode).resize(before.size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=88)
        return out.getvalue()


def before_after(before_jpeg: bytes, after_jpeg: bytes, width: int, height: int,
                 labels=("Before", "After"), max_height: int = 520) -> None:
    """Show ``before`` and ``after`` (JPEG bytes, same size) with a draggable split line."""
    after_jpeg = _same_size(before_jpeg, after_jpeg)
    # Height for a ~600 px wide column, capped; small previews are scaled up.
    frame_height = int(min(max_height, 600 * height / max(1, width)))
    st.iframe(before_after_html(before_jpeg, after_jpeg, width, height, labels), height=frame_height)
