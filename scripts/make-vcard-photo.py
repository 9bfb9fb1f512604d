#!/usr/bin/env python3
"""Draw the virtual card's synthetic face photo (no real person) and save it
as JPEG 2000 in the JP2 container, greyscale, as the card's DF27 holds.

Needs Pillow built with OpenJPEG (the PyPI wheels are):
    python3 scripts/make-vcard-photo.py fixtures/vcard-photo/photo.jp2
"""
import sys
from PIL import Image, ImageDraw, ImageFilter

W, H = 150, 188  # the card photo's 4:5 shape, small
img = Image.new("L", (W, H), 225)  # a light background, as on the card
d = ImageDraw.Draw(img)
d.ellipse((10, 150, 140, 260), fill=70)          # shoulders (dark clothes)
d.rectangle((62, 118, 88, 160), fill=170)        # neck
d.ellipse((38, 30, 112, 130), fill=185)          # face
d.chord((34, 18, 116, 92), 180, 360, fill=45)    # hair
d.ellipse((54, 68, 66, 76), fill=40)             # eyes
d.ellipse((84, 68, 96, 76), fill=40)
d.line((75, 78, 72, 98), fill=130, width=2)      # nose
d.arc((60, 96, 90, 114), 20, 160, fill=90, width=3)  # mouth
img = img.filter(ImageFilter.GaussianBlur(1.2))
img.save(sys.argv[1], "JPEG2000", quality_mode="rates", quality_layers=[40],
         irreversible=True, no_jp2=False)
