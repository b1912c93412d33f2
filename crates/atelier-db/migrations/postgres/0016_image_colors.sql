-- The dominant colour of each gallery image (`#rrggbb`), painted as its card's background before
-- the image arrives (issue 22). NULL until the image's sizes are made.
ALTER TABLE gallery_images ADD COLUMN color TEXT;
