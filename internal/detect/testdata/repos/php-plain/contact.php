<?php

mail('team@example.com', 'Contact', $_POST['message'] ?? '');
