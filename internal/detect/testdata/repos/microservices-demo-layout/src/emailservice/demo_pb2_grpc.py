# generated
