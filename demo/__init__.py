"""Demo and load-test data: the Trier demo data, the demo coordinator, generated offers.

Not part of the product: nothing in the portal imports this app. It has no models; its
commands write the product's own tables (see README.md, "Data").
"""
